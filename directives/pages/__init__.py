"""The server-rendered pages: their views, forms and the context their templates read.

Pages read through ``directives.queries`` and write through ``directives.actions``; nothing here saves
domain state itself. A new page: a view module here, its route in ``directives/urls.py``, its template
in ``templates/directives/``.
"""
