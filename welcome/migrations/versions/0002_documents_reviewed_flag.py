"""Languages say whether the documents' translation into them was reviewed.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('languages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('documents_reviewed', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    op.execute("UPDATE languages SET documents_reviewed = TRUE WHERE code IN ('de', 'en')")


def downgrade():
    with op.batch_alter_table('languages', schema=None) as batch_op:
        batch_op.drop_column('documents_reviewed')
