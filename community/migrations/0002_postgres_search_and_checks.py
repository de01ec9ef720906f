"""PostgreSQL pieces: the full-text index for directory search, a GIN index for category
filters, and checks that category/need lists only hold known codes. The models declare the
checks since community 0004 (state only), so a database migrated before then is unchanged."""

from django.db import migrations

SEARCH_FORWARD = """
CREATE INDEX resource_search_idx ON community_resource USING gin (
    to_tsvector('english'::regconfig,
        COALESCE(name, '') || ' ' || COALESCE(description, '') || ' ' || COALESCE(suits, '')
        || ' ' || COALESCE(organisation_name, '') || ' ' || COALESCE(area, ''))
);
CREATE INDEX resource_categories_idx ON community_resource USING gin (categories jsonb_path_ops);
"""
SEARCH_BACKWARD = "DROP INDEX resource_search_idx; DROP INDEX resource_categories_idx;"

CHECKS_FORWARD = """
ALTER TABLE community_resource ADD CONSTRAINT resource_categories_known CHECK (
    jsonb_typeof(categories) = 'array' AND jsonb_array_length(categories) > 0
    AND categories <@ '["activity", "arts", "carers", "employment", "finance", "food",
        "housing", "isolation", "mental_wellbeing", "volunteering"]'::jsonb
);
ALTER TABLE community_referral ADD CONSTRAINT referral_needs_known CHECK (
    jsonb_typeof(needs) = 'array' AND jsonb_array_length(needs) > 0
    AND needs <@ '["isolation", "carer", "finance", "activity", "housing",
        "mental_wellbeing"]'::jsonb
);
ALTER TABLE community_followup ADD CONSTRAINT follow_up_swemwbs_items CHECK (
    swemwbs_items IS NULL OR (jsonb_typeof(swemwbs_items) = 'array'
        AND jsonb_array_length(swemwbs_items) = 7
        AND swemwbs_items <@ '[1, 2, 3, 4, 5]'::jsonb)
);
"""
CHECKS_BACKWARD = """
ALTER TABLE community_resource DROP CONSTRAINT resource_categories_known;
ALTER TABLE community_referral DROP CONSTRAINT referral_needs_known;
ALTER TABLE community_followup DROP CONSTRAINT follow_up_swemwbs_items;
"""


class Migration(migrations.Migration):
    dependencies = [("community", "0001_initial")]

    operations = [
        migrations.RunSQL([SEARCH_FORWARD], [SEARCH_BACKWARD]),
        migrations.RunSQL([CHECKS_FORWARD], [CHECKS_BACKWARD]),
    ]
