"""Intakes: one-time form key, import key per CSV row, what the duplicate check matched;
dates of birth indexed for the duplicate check.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('intakes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('duplicate_matches', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('submission_key', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('import_key', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_intakes_date_of_birth'), ['date_of_birth'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_intakes_import_key'), ['import_key'])
        batch_op.create_unique_constraint(batch_op.f('uq_intakes_submission_key'), ['submission_key'])

    with op.batch_alter_table('persons', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_persons_date_of_birth'), ['date_of_birth'], unique=False)


def downgrade():
    with op.batch_alter_table('persons', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_persons_date_of_birth'))

    with op.batch_alter_table('intakes', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_intakes_submission_key'), type_='unique')
        batch_op.drop_constraint(batch_op.f('uq_intakes_import_key'), type_='unique')
        batch_op.drop_index(batch_op.f('ix_intakes_date_of_birth'))
        batch_op.drop_column('import_key')
        batch_op.drop_column('submission_key')
        batch_op.drop_column('duplicate_matches')
