from __future__ import annotations

from rest_framework import serializers

from agencies.models import Agency


class AgencyRefSerializer(serializers.Serializer[Agency]):
    """An agency as other resources name it."""

    abbreviation = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)


class AgencySerializer(serializers.ModelSerializer[Agency]):
    url = serializers.HyperlinkedIdentityField(view_name="api:agency-detail", lookup_field="abbreviation")
    # DRF's metaclass takes declared fields off the class: at run time this is no Field.parent.
    parent: serializers.SlugRelatedField[Agency] = serializers.SlugRelatedField(  # type: ignore[assignment]  # a field, not Field.parent
        slug_field="abbreviation", read_only=True, allow_null=True
    )
    components: serializers.SlugRelatedField[Agency] = serializers.SlugRelatedField(
        slug_field="abbreviation", read_only=True, many=True
    )

    class Meta:
        model = Agency
        fields = ["abbreviation", "url", "name", "kind", "parent", "components"]
