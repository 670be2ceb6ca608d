"""The admin shows events and their evidence; changes go through review."""

import pytest
from django.urls import reverse

from tests.tensions.factories import make_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client, django_user_model):
    client.force_login(
        django_user_model.objects.create_superuser("root", "root@example.org", "pw")
    )
    return client


def test_events_are_listed_and_shown(superuser_client):
    event = make_event()
    listing = superuser_client.get(reverse("admin:tensions_event_changelist"))
    page = superuser_client.get(reverse("admin:tensions_event_change", args=[event.pk]))
    assert listing.status_code == page.status_code == 200
    assert b'name="_save"' not in page.content  # read-only: no save button


def test_an_event_cannot_be_changed_added_or_deleted_there(superuser_client):
    event = make_event()
    change = superuser_client.post(
        reverse("admin:tensions_event_change", args=[event.pk]), {"type": "ASSAULT"}
    )
    add = superuser_client.get(reverse("admin:tensions_event_add"))
    delete = superuser_client.post(
        reverse("admin:tensions_event_delete", args=[event.pk]), {"post": "yes"}
    )
    mention = superuser_client.get(reverse("admin:tensions_mention_add"))
    assert [change.status_code, add.status_code, delete.status_code] == [403] * 3
    assert mention.status_code == 403
    event.refresh_from_db()
    assert event.type == "REQUEST"
