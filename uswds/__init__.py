"""The U.S. Web Design System for Django forms: the neutral bottom layer the apps' forms build on.

Nothing here knows about agencies or directives; both apps import it, it imports neither.
"""
