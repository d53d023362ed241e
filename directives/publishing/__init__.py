"""What orderctl publishes: calendars and feeds, OSCAL, open data, the as-of reports and their PDF brief,
the status export and the dashboard's charts. Read-only: each reads through ``directives.queries``.
"""
