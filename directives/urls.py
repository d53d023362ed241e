"""The pages about directives and orders."""

from django.urls import path

from . import dashboard, views

urlpatterns = [
    path("agency/", views.my_agency, name="my_agency"),
    path("directives/", views.directive_list, name="directive_list"),
    path("directives/<int:pk>/", views.directive_detail, name="directive_detail"),
    path("directives/<int:pk>/event-date/", views.directive_event_date, name="directive_event_date"),
    path("orders/", views.order_list, name="order_list"),
    path("orders/<int:number>/", views.order_detail, name="order_detail"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("dashboard/export.csv", dashboard.export_csv, name="dashboard_export_csv"),
    path("dashboard/export.json", dashboard.export_json, name="dashboard_export_json"),
]
