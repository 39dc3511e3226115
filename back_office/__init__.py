"""The staff back office without Flask: one database, accounts, inbox, staff calls, editing, publish.

Imports ``bot``; the web console in ``kiosk_ui.staff`` is its only caller besides the tools.
"""
