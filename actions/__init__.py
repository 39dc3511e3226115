"""The rasa_sdk action server: every answer is built from the guide data in ``bot``."""
