"""Each event's API text, kept by PostgreSQL beside its row.

An events page answered in compact JSON (tensions/api_fast.py) writes every
event as the JSON renderer writes EventSerializer's dict. On PostgreSQL a
trigger now writes that text when an event is inserted or updated, in two
parts around what the page adds itself (its id, its URL, which depends on where
the site is served, and its CAMEO root, which is the code's table):

    {"id":…,"url":…,<api_head>,"cameo_root":…,<api_tail>}

so that a page reads two texts an event, not thirty values and its two actors.
An update that leaves the head's columns as they were (counts, review, version:
what processing and corroboration change) writes the tail alone. A change to an
actor rewrites its events' texts. A context that is not a list of strings
leaves both parts NULL, and the page writes that event from its columns. The
columns are not in the model: the ORM never reads or writes them.
"""

from django.db import migrations

# Text as json.encoder.encode_basestring writes it (to_json escapes the same
# characters the same way); NULL as null.
_TEXT = "COALESCE(to_json({})::text, 'null')"
# A float as repr() writes it, for the range the check constraints allow:
# float8out gives the shortest exact digits at extra_float_digits = 1.
_FLOAT = "CASE WHEN {0} = trunc({0}) THEN {0}::text || '.0' ELSE {0}::text END"
_ACTOR = """COALESCE((
    SELECT '{{"id":' || a.id || ',"name":' || to_json(a.name)::text
        || ',"kind":' || to_json(a.kind)::text
        || ',"title":' || to_json(a.title)::text
        || ',"country":' || COALESCE(to_json(a.country_id)::text, 'null') || '}}'
    FROM tensions_actor a WHERE a.id = {}
), 'null')"""
_CONTEXT = """CASE WHEN NEW.context = '[]'::jsonb THEN '[]'
WHEN jsonb_typeof(NEW.context) = 'array' THEN (
    SELECT CASE WHEN bool_and(jsonb_typeof(c.item) = 'string') IS NOT FALSE
        THEN '[' || COALESCE(
            string_agg(to_json(c.item #>> '{}')::text, ',' ORDER BY c.n), ''
        ) || ']' END
    FROM jsonb_array_elements(NEW.context) WITH ORDINALITY AS c(item, n)
) END"""


# What the head is written from (an actor's own columns aside: see below).
_HEAD_COLUMNS = ", ".join(
    "{0}." + name
    for name in (
        "type", "mode", "context", "status", "channel", "source_actor_id",
        "target_actor_id", "source_country_id", "target_country_id", "date",
        "date_precision", "what", "intensity",
    )
)  # fmt: skip


def _parts() -> str:
    head = " || ".join(
        [
            """'"type":' || """ + _TEXT.format("NEW.type"),
            """',"mode":' || """ + _TEXT.format("NEW.mode"),
            """',"context":' || written_context""",
            """',"status":' || """ + _TEXT.format("NEW.status"),
            """',"channel":' || """ + _TEXT.format("NEW.channel"),
            """',"source":' || """ + _ACTOR.format("NEW.source_actor_id"),
            """',"target":' || """ + _ACTOR.format("NEW.target_actor_id"),
            """',"source_country":' || """ + _TEXT.format("NEW.source_country_id"),
            """',"target_country":' || """ + _TEXT.format("NEW.target_country_id"),
            """',"date":' || """ + _TEXT.format("NEW.date"),
            """',"date_precision":' || """ + _TEXT.format("NEW.date_precision"),
            """',"what":' || """ + _TEXT.format("NEW.what"),
            """',"intensity":' || """ + _FLOAT.format("NEW.intensity"),
        ]
    )
    tail = " || ".join(
        [
            """'"confidence":' || """ + _FLOAT.format("NEW.confidence"),
            """',"review_state":' || """ + _TEXT.format("NEW.review_state"),
            """',"version":' || NEW.version""",
            """',"mention_count":' || NEW.mention_count""",
            """',"article_count":' || NEW.article_count""",
            """',"publisher_count":' || NEW.publisher_count""",
            """',"first_reported":' || """ + _TEXT.format("NEW.first_reported"),
        ]
    )
    return f"""
CREATE FUNCTION tensions_event_api_text() RETURNS trigger
LANGUAGE plpgsql SET extra_float_digits = 1 AS $$
DECLARE
    written_context text;
BEGIN
    NEW.api_tail := {tail};
    IF TG_OP = 'UPDATE' AND NEW.api_head IS NOT NULL
        AND ({_HEAD_COLUMNS.format("NEW")})
        IS NOT DISTINCT FROM ({_HEAD_COLUMNS.format("OLD")})
    THEN
        RETURN NEW;  -- counts, review or version: the head stands
    END IF;
    written_context := {_CONTEXT};
    IF written_context IS NULL THEN  -- written from the columns by the page
        NEW.api_head := NULL;
        NEW.api_tail := NULL;
    ELSE
        NEW.api_head := {head};
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER tensions_event_api_text BEFORE INSERT OR UPDATE ON tensions_event
    FOR EACH ROW EXECUTE FUNCTION tensions_event_api_text();

-- An actor's new name, kind, title or country: its events' texts again.
CREATE FUNCTION tensions_actor_api_text() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE tensions_event SET api_head = NULL
    WHERE source_actor_id = NEW.id OR target_actor_id = NEW.id;
    RETURN NULL;
END $$;

CREATE TRIGGER tensions_actor_api_text AFTER UPDATE ON tensions_actor
    FOR EACH ROW WHEN (
        (OLD.name, OLD.kind, OLD.title, OLD.country_id)
        IS DISTINCT FROM (NEW.name, NEW.kind, NEW.title, NEW.country_id)
    ) EXECUTE FUNCTION tensions_actor_api_text();
"""


_ADD = """
ALTER TABLE tensions_event ADD COLUMN api_head text, ADD COLUMN api_tail text;
"""
_FILL = "UPDATE tensions_event SET api_head = NULL;"
_DROP = """
DROP TRIGGER tensions_actor_api_text ON tensions_actor;
DROP FUNCTION tensions_actor_api_text();
DROP TRIGGER tensions_event_api_text ON tensions_event;
DROP FUNCTION tensions_event_api_text();
ALTER TABLE tensions_event DROP COLUMN api_tail, DROP COLUMN api_head;
"""


def _texts(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_ADD + _parts() + _FILL)


def _texts_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_DROP)


class Migration(migrations.Migration):
    dependencies = [("tensions", "0012_country_events")]

    operations = [migrations.RunPython(_texts, _texts_drop)]
