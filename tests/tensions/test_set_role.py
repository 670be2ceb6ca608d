import io

import pytest
from django.core.management import CommandError, call_command

from tensions.roles import user_role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["viewer", "analyst", "admin"])
def test_set_role_gives_exactly_that_role(django_user_model, role):
    user = django_user_model.objects.create_user("someone", is_staff=True)

    call_command("set_role", "someone", role, stdout=io.StringIO())

    assert user_role(django_user_model.objects.get(pk=user.pk)) == role


def test_set_role_names_an_unknown_user():
    with pytest.raises(CommandError, match="No user named 'nobody'"):
        call_command("set_role", "nobody", "analyst")
