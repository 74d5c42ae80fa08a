"""Indexes the monitoring counts from: each aggregate reads one index in order.

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-01
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0010'
branch_labels = None
depends_on = None

INDEXES = (
    ('ix_cases_opened_on_source_person', 'cases', ['opened_on', 'source', 'main_person_id']),
    ('ix_needs_identified_on_field_status', 'needs',
     ['identified_on', 'field_of_action_id', 'status', 'unmet_reason_id']),
    ('ix_referrals_handed_over_outcome', 'referrals',
     ['handed_over_at', 'partner_id', 'status', 'outcome_reason_id', 'feedback_due_on',
      'completed_on']),
    ('ix_consultations_case_id_held_on', 'consultations', ['case_id', 'held_on']),
    ('ix_consultations_held_on_channel', 'consultations',
     ['held_on', 'channel', 'language_id', 'interpreter_used']),
    ('ix_intakes_status_created_case', 'intakes', ['status', 'created_at', 'case_id']),
)


def upgrade():
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade():
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
