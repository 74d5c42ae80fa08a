"""Trigram indexes for substring search on references, names, contact data and need
descriptions (PostgreSQL only; SQLite searches without them).

Revision ID: 0015
Revises: 0007
Create Date: 2026-12-01
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0009'
branch_labels = None
depends_on = None

#: (table, column) pairs that the list searches and pickers match substrings in.
INDEXED = (
    ('cases', 'reference'),
    ('persons', 'family_name'), ('persons', 'given_name'), ('persons', 'email'),
    ('persons', 'phone'),
    ('needs', 'description'),
    ('intakes', 'family_name'), ('intakes', 'given_name'), ('intakes', 'email'),
    ('intakes', 'phone'),
)


def upgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
    for table, column in INDEXED:
        op.create_index(f'ix_{table}_{column}_trgm', table, [column], unique=False,
                        postgresql_using='gin', postgresql_ops={column: 'gin_trgm_ops'})


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    for table, column in INDEXED:
        op.drop_index(f'ix_{table}_{column}_trgm', table_name=table)
