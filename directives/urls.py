"""The pages about directives and orders."""

from django.urls import path

from directives.pages import account as account_pages
from directives.pages import dashboard, directive_page, order_import, queue, views
from directives.pages import evidence as evidence_views
from directives.pages import reports as report_views
from directives.publishing import feeds
from directives.publishing.notices_atom import notices_atom

urlpatterns = [
    path("agency/", views.my_agency, name="my_agency"),
    path("directives/", views.directive_list, name="directive_list"),
    # The directive page and every form on it (pages/directive_page.py names them).
    path("directives/<int:pk>/", directive_page.directive_page, name="directive_detail"),
    path("directives/<int:pk>/history.csv", views.directive_history_csv, name="directive_history_csv"),
    path(
        "directives/<int:pk>/evidence/<int:file_id>/",
        evidence_views.evidence_download,
        name="evidence_download",
    ),
    path("orders/", views.order_list, name="order_list"),
    path("orders/import/", order_import.order_import, name="order_import"),
    path("orders/<int:number>/", views.order_detail, name="order_detail"),
    path("orders/<int:number>/report/", report_views.order_report, name="order_report"),
    path("orders/<int:number>/report.csv", report_views.order_report_csv, name="order_report_csv"),
    path("orders/<int:number>/report.pdf", report_views.order_report_pdf, name="order_report_pdf"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("queue/", queue.my_queue, name="my_queue"),
    path("dashboard/export.csv", dashboard.export_csv, name="dashboard_export_csv"),
    path("dashboard/export.json", dashboard.export_json, name="dashboard_export_json"),
    # Integrations (docs/integrations.md).
    path("orders/<int:number>/poam.json", account_pages.order_poam, name="order_poam"),
    path("account/calendar/", account_pages.calendar_page, name="calendar_page"),
    path("account/notifications/", account_pages.notification_settings, name="notification_settings"),
    path("account/notices/", account_pages.notices_feed, name="notices_feed"),
    path("notices/<str:key>/feed.atom", notices_atom, name="notices_atom"),
    path("calendar/<str:key>/mine.ics", feeds.calendar_mine, name="calendar_mine"),
    path("calendar/<str:key>/agency/<str:abbreviation>.ics", feeds.calendar_agency, name="calendar_agency"),
    path("calendar/<str:key>/orders/<int:number>.ics", feeds.calendar_order, name="calendar_order"),
    path("notifications/unsubscribe/<str:token>/", feeds.unsubscribe, name="unsubscribe"),
    path("data.json", feeds.data_json, name="data_json"),
    path("open-data/schema.json", feeds.open_data_schema, name="open_data_schema"),
    path("open-data/orders/<int:number>/", feeds.open_data_page, name="open_data_page"),
    path("open-data/orders/<int:number>.json", feeds.open_data_json, name="open_data_json"),
    path("open-data/orders/<int:number>.csv", feeds.open_data_csv, name="open_data_csv"),
]
