"""Sign-in and the pages about the signed-in user and their agency."""

from django.contrib.auth import views as auth_views
from django.urls import path

from . import sso_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("account/tokens/", views.api_tokens, name="api_tokens"),
    path("account/tokens/revoke/", views.api_token_revoke, name="api_token_revoke"),
    path("accounts/login/", views.SignInView.as_view(), name="login"),
    # Django's LogoutView accepts POST only, so a link or an image cannot sign anyone out.
    path("accounts/logout/", views.SignOutView.as_view(), name="logout"),
    # Single sign-on (OpenID Connect): 404 unless SSO_ENABLED; the callback's name is the library's.
    path("accounts/sso/start/", sso_views.SignOnView.as_view(), name="oidc_authentication_init"),
    path("accounts/sso/callback/", sso_views.CallbackView.as_view(), name="oidc_authentication_callback"),
    path("accounts/password/", views.ChangePasswordView.as_view(), name="password_change"),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
]
