"""What the app tells people: which notices a change owes (``notify``), the webhooks' payloads
(``payloads``), the mail transport (``mail``) and the dispatch counters (``outbox_counts``).

The outbox's tables are ``directives.models.notices``; draining them is ``directives.actions.outbox``.
"""
