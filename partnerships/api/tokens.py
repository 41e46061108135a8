"""API tokens: obtain with a password, rotate with the current token, revoke with DELETE.

Tokens are stored hashed and expire (:mod:`partnerships.tokens`): the key is in the answer
that issues it and nowhere else. Failed attempts count towards the login lockout like the
admin's (user name and client address); a locked-out request is a 429 with Retry-After.
"""

from django.conf import settings
from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from partnerships.api.throttles import AnonThrottle
from partnerships.tokens import ApiToken


class CredentialsSerializer(serializers.Serializer):
    # Bounded: a user name is at most 150 characters (Django's), a password well below
    # anything that would make hashing it costly.
    username = serializers.CharField(max_length=150, trim_whitespace=False)
    password = serializers.CharField(
        max_length=1024, trim_whitespace=False, style={"input_type": "password"}
    )


TokenSerializer = inline_serializer(
    "IssuedToken",
    {
        "token": serializers.CharField(help_text="The key: shown this once, stored hashed."),
        "expires": serializers.DateTimeField(),
    },
)


def issued(user) -> Response:
    token, key = ApiToken.issue(user)
    return Response({"token": key, "expires": token.expires})


class LockedOut(exceptions.Throttled):
    default_detail = "Too many failed logins for this user from this address."


class TokenView(APIView):
    """POST a user name and password for a new API token (the previous one is revoked);
    DELETE, authenticated, revokes yours."""

    throttle_classes = [AnonThrottle]
    serializer_class = CredentialsSerializer

    def get_permissions(self):
        if self.request.method == "POST":
            return [permissions.AllowAny()]
        return [permissions.IsAuthenticated()]

    @extend_schema(request=CredentialsSerializer, responses=TokenSerializer)
    def post(self, request):
        credentials = CredentialsSerializer(data=request.data)
        credentials.is_valid(raise_exception=True)
        # The Django request: the lockout (django-axes) marks it when it refuses.
        django_request = request._request
        user = authenticate(
            request=django_request,
            username=credentials.validated_data["username"],
            password=credentials.validated_data["password"],
        )
        if getattr(django_request, "axes_locked_out", False):
            raise LockedOut(wait=settings.AXES_COOLOFF_TIME.total_seconds())
        if user is None or not user.is_active:
            raise exceptions.ValidationError(
                {"non_field_errors": ["Unable to log in with the user name and password given."]}
            )
        return issued(user)

    @extend_schema(request=None, responses={200: dict})
    def delete(self, request):
        return Response({"revoked": ApiToken.revoke(request.user)})


class TokenRotateView(APIView):
    """POST, authenticated (with your current token): a new token, the old one revoked."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=None, responses=TokenSerializer)
    def post(self, request):
        return issued(request.user)
