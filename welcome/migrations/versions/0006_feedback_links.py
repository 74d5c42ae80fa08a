"""Feedback links through which partners report back on a referral without an account.

Revision ID: 0006
Revises: 0003
Create Date: 2026-11-22
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('feedback_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('referral_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_feedback_links_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['referral_id'], ['referrals.id'], name=op.f('fk_feedback_links_referral_id_referrals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_links')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_feedback_links_token_hash'))
    )
    with op.batch_alter_table('feedback_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_links_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_links_referral_id'), ['referral_id'], unique=False)

    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('partner_feedback', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('partner_feedback_at', sa.DateTime(timezone=True), nullable=True))



def downgrade():
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_column('partner_feedback_at')
        batch_op.drop_column('partner_feedback')

    with op.batch_alter_table('feedback_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_links_referral_id'))
        batch_op.drop_index(batch_op.f('ix_feedback_links_created_by_id'))

    op.drop_table('feedback_links')
