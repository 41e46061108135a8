"""API tokens: obtain with a password, revoke with DELETE."""

from rest_framework import permissions
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import NotAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle

# -- API tokens ----------------------------------------------------------------------------


class TokenView(ObtainAuthToken):
    """POST a user name and password for your API token; DELETE (authenticated) revokes it.

    Failed attempts count towards the login lockout like the admin's.
    """

    throttle_classes = [AnonRateThrottle]

    def delete(self, request):
        if not request.user.is_authenticated:
            raise NotAuthenticated()
        deleted, _ = Token.objects.filter(user=request.user).delete()
        return Response({"revoked": bool(deleted)})

    def get_permissions(self):
        return (
            [permissions.AllowAny()]
            if self.request.method == "POST"
            else [permissions.IsAuthenticated()]
        )
