"""Date formats that say which time zone a time is in (settings.FORMAT_MODULE_PATH)."""
