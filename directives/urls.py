"""The pages about directives and orders."""

from django.urls import path

from . import views

urlpatterns = [
    path("directives/", views.directive_list, name="directive_list"),
    path("directives/<int:pk>/", views.directive_detail, name="directive_detail"),
    path("orders/", views.order_list, name="order_list"),
    path("orders/<int:number>/", views.order_detail, name="order_detail"),
]
