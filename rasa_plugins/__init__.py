"""What the Rasa server loads: the normaliser, GiNZA, the guide-entry selector, patches, lock store.

Referenced by dotted path from config.yml and endpoints.production.yml; imports only ``bot``.
"""
