"""The integration endpoints: webhook subscriptions with their delivery log, and an order's OSCAL POA&M."""

from __future__ import annotations

import json
from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.cache import add_never_cache_headers
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.filters import BaseFilterBackend
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.access import editor_agency_ids, signed_in
from agencies.authentication import TokenRateThrottle
from agencies.models import Agency
from directives import actions
from directives.models import Notification, Order
from directives.models.outreach import WebhookDelivery, WebhookSubscription
from directives.publishing import oscal
from directives.queries import request_now

from .clock import NowMixin
from .serializers import StrictInputSerializer


class WebhookSerializer(serializers.ModelSerializer[WebhookSubscription]):
    agency: serializers.SlugRelatedField[Agency] = serializers.SlugRelatedField(
        slug_field="abbreviation", read_only=True
    )
    order: serializers.SlugRelatedField[Order] = serializers.SlugRelatedField(
        slug_field="number", read_only=True
    )

    class Meta:
        model = WebhookSubscription
        # Never the signing secret: it is shown once, when made (``WebhookCreatedSerializer``,
        # ``WebhookSecretSerializer``), and a read-only token or a list must not carry it.
        fields = [
            "id", "name", "url", "format", "agency", "order", "kinds", "active", "previous_secret_until",
            "consecutive_failures", "disabled_at", "disabled_reason", "created",
        ]  # fmt: skip
        read_only_fields = fields


class WebhookCreatedSerializer(WebhookSerializer):
    """A subscription just created, with its signing secret: the one time it is shown."""

    secret = serializers.CharField(
        read_only=True, help_text="whsec_...: store it now; it is not shown again."
    )

    class Meta(WebhookSerializer.Meta):
        fields = [*WebhookSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class WebhookSecretSerializer(serializers.Serializer[Any]):
    """A new signing secret, shown this once; the old one signs beside it until ``previous_secret_until``."""

    secret = serializers.CharField(
        read_only=True, help_text="whsec_...: store it now; it is not shown again."
    )
    previous_secret_until = serializers.DateTimeField(read_only=True)


class WebhookInputSerializer(StrictInputSerializer):
    """A new subscription: a name, an https address, exactly one agency or order, a format and kinds."""

    name = serializers.CharField(max_length=100, allow_blank=True)
    url = serializers.CharField(max_length=500)
    agency = serializers.SlugRelatedField(
        slug_field="abbreviation", queryset=Agency.objects.all(), required=False, allow_null=True
    )
    order = serializers.SlugRelatedField(
        slug_field="number", queryset=Order.objects.all(), required=False, allow_null=True
    )
    format = serializers.ChoiceField(choices=WebhookSubscription.Format.choices, required=False)
    kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=Notification.Kind.choices), required=False, allow_empty=False
    )


class WebhookChangeSerializer(StrictInputSerializer):
    """A change of a subscription: any of these (the scope cannot change: make another)."""

    name = serializers.CharField(max_length=100, required=False)
    url = serializers.CharField(max_length=500, required=False)
    format = serializers.ChoiceField(choices=WebhookSubscription.Format.choices, required=False)
    kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=Notification.Kind.choices), required=False, allow_empty=False
    )
    active = serializers.BooleanField(required=False)


class WebhookTestSerializer(serializers.Serializer[Any]):
    """What the receiver answered a signed test message (``type`` ``orderctl.test``); nothing recorded."""

    ok = serializers.BooleanField(read_only=True, help_text="The receiver answered with a 2xx status.")
    status = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="The receiver's HTTP status; null when it gave none."
    )
    failure = serializers.ChoiceField(
        choices=["", "address", "timeout", "connection"],
        read_only=True,
        help_text=(
            "Why there was no answer: the address is not one webhooks may be sent to, no answer within "
            "WEBHOOK_TIMEOUT_SECONDS, or no connection; empty when the receiver answered."
        ),
    )
    answer = serializers.CharField(
        read_only=True, help_text="The first 500 characters of the receiver's answer, or what went wrong."
    )


class WebhookTestThrottle(TokenRateThrottle):
    """Limit test messages per token (per user for a session): each one makes a request to the receiver."""

    scope = "webhook_test"


class WebhookDeliverySerializer(serializers.ModelSerializer[WebhookDelivery]):
    directive = serializers.CharField(source="notification.directive.ref", read_only=True)
    kind = serializers.CharField(source="notification.kind", read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id", "message_id", "directive", "kind", "state", "created", "attempts", "next_attempt_at",
            "delivered_at", "response_status", "last_error",
        ]  # fmt: skip
        read_only_fields = fields


class WebhookViewSet(
    NowMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[WebhookSubscription],
):
    """Webhook subscriptions: administrators see all; an editor those of the agencies they edit for.

    PATCH changes one (``active: false`` disables it; ``true`` re-enables it after failures); DELETE
    removes it; POST ``rotate-secret`` gives it a new signing secret. The secret is shown only in the
    answer that made it, never in a list or a read.
    """

    serializer_class = WebhookSerializer
    lookup_value_regex = "[0-9]+"
    filter_backends: list[type[BaseFilterBackend]] = []

    def get_queryset(self) -> QuerySet[WebhookSubscription]:
        user = self.request.user
        # A person's own webhook is theirs, on their notification settings: not an agency's or order's.
        qs = (
            WebhookSubscription.objects.filter(user__isnull=True)
            .select_related("agency", "order")
            .order_by("id")
        )
        if user.is_superuser:
            return qs
        return qs.filter(agency_id__in=editor_agency_ids(user))

    @extend_schema(request=WebhookInputSerializer, responses={201: WebhookCreatedSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Subscribe an address to notices of one agency's (editors) or one order's (admins) directives."""
        if not request.user.is_superuser and not editor_agency_ids(request.user):
            raise PermissionDenied("Only an administrator or an agency's editor may add webhooks.")
        body = WebhookInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        subscription = actions.create_webhook(actor=signed_in(request.user), **body.validated_data)
        response = Response(WebhookCreatedSerializer(subscription).data, status=status.HTTP_201_CREATED)
        add_never_cache_headers(response)  # it holds the secret
        return response

    @extend_schema(request=WebhookChangeSerializer, responses={200: WebhookSerializer})
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Change a subscription's name, address, format, kinds, or pause and re-enable it."""
        subscription = self.get_object()
        body = WebhookChangeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        if not body.validated_data:
            raise ValidationError({"non_field_errors": ["Nothing to change: send at least one field."]})
        changed = actions.update_webhook(subscription, actor=signed_in(request.user), **body.validated_data)
        return Response(WebhookSerializer(changed).data)

    @extend_schema(responses={204: None})
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Delete a subscription and its delivery log."""
        actions.delete_webhook(self.get_object(), actor=signed_in(request.user))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={200: WebhookSecretSerializer})
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request: Request, pk: str | None = None) -> Response:
        """Give the subscription a new signing secret, shown this once; the old one keeps signing beside
        it for WEBHOOK_SECRET_OVERLAP_HOURS."""
        subscription, secret = actions.rotate_webhook_secret(self.get_object(), actor=signed_in(request.user))
        body = {"secret": secret, "previous_secret_until": subscription.previous_secret_until}
        response = Response(WebhookSecretSerializer(body).data)
        add_never_cache_headers(response)
        return response

    @extend_schema(request=None, responses={200: WebhookTestSerializer})
    @action(
        detail=True,
        methods=["post"],
        url_path="test",
        throttle_classes=[TokenRateThrottle, WebhookTestThrottle],
    )
    def test(self, request: Request, pk: str | None = None) -> Response:
        """Send the subscription a signed sample message now, in its format, and return the receiver's
        answer; a timeout or a refused connection is an answer too (``ok`` false), never an error.

        Nothing is recorded: a test is no notice, counts no failure and never disables the subscription.
        Throttled (``API_RATE_WEBHOOK_TEST``, per token).
        """
        sent = actions.send_test_webhook(self.get_object(), actor=signed_in(request.user))
        body = {"ok": sent.ok, "status": sent.status, "failure": sent.failure, "answer": sent.answer}
        return Response(WebhookTestSerializer(body).data)

    @extend_schema(responses={200: WebhookDeliverySerializer(many=True)})
    @action(detail=True, methods=["get"], url_path="deliveries")
    def deliveries(self, request: Request, pk: str | None = None) -> Response:
        """The subscription's delivery log, newest first."""
        subscription = self.get_object()
        qs = subscription.deliveries.select_related("notification__directive").order_by("-id")
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(WebhookDeliverySerializer(page, many=True).data)


class OrderPoamView(APIView):
    """An order's open directives as an OSCAL plan of action and milestones (OSCAL 1.1 JSON)."""

    @extend_schema(responses={200: dict})
    def get(self, request: Request, number: int) -> Response:
        order = get_object_or_404(Order, number=number)
        return Response(json.loads(oscal.to_json(oscal.plan_of_action(order, request_now(request)))))
