"""A partner's feedback is kept as they gave it (answer, date, reason, note), not as a sentence
in one language; the free-text feedback column becomes the partner's note. Information-only
referrals expect no feedback from the partner, so they lose the due date they were given.

Revision ID: 0011
Revises: 0007
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.alter_column('partner_feedback', new_column_name='partner_note',
                              existing_type=sa.Text(), existing_nullable=True)
        batch_op.add_column(sa.Column('partner_answer', sa.Enum('appointment', 'completed', 'not_helped', name='partner_answer', native_enum=False, create_constraint=True), nullable=True))
        batch_op.add_column(sa.Column('partner_answer_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('partner_answer_reason_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_referrals_partner_answer_reason_id'), ['partner_answer_reason_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_referrals_partner_answer_reason_id_reasons'), 'reasons', ['partner_answer_reason_id'], ['id'], ondelete='RESTRICT')
    op.execute("UPDATE referrals SET feedback_due_on = NULL WHERE channel = 'information_only'")


def downgrade():
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_referrals_partner_answer_reason_id_reasons'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_referrals_partner_answer_reason_id'))
        batch_op.drop_column('partner_answer_reason_id')
        batch_op.drop_column('partner_answer_on')
        batch_op.drop_constraint(batch_op.f('ck_referrals_partner_answer'), type_='check')
        batch_op.drop_column('partner_answer')
        batch_op.alter_column('partner_note', new_column_name='partner_feedback',
                              existing_type=sa.Text(), existing_nullable=True)
