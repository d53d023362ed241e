from __future__ import annotations

from rest_framework import serializers

from agencies.models import Agency


class AgencyRefSerializer(serializers.Serializer):
    """An agency as other resources name it."""

    abbreviation = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)


class AgencySerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:agency-detail", lookup_field="abbreviation")
    parent = serializers.SlugRelatedField(slug_field="abbreviation", read_only=True, allow_null=True)
    components = serializers.SlugRelatedField(slug_field="abbreviation", read_only=True, many=True)

    class Meta:
        model = Agency
        fields = ["abbreviation", "url", "name", "kind", "parent", "components"]
