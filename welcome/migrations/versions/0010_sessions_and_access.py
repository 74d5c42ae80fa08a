"""Revocable sessions, casework grants waiting for confirmation, user names unique without case.

Revision ID: 0010
Revises: 0007
Create Date: 2026-12-01

Existing accounts get a random session token (their open sessions end once). Accounts whose
names differ only in case could never sign in reliably; the later ones are renamed to
``<name>-<id>`` so the unique index can be built, and keep everything else.
"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    connection = op.get_bind()
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_token', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('pending_change', sa.Enum('new_account', 'role_raised', 'password_set', name='access_change', native_enum=False, create_constraint=True), nullable=True))

    users = sa.table('users', sa.column('id', sa.Integer), sa.column('username', sa.String),
                     sa.column('session_token', sa.String))
    seen = set()
    for user_id, username in connection.execute(
            sa.select(users.c.id, users.c.username).order_by(users.c.id)).all():
        values = {'session_token': secrets.token_urlsafe(32)}
        if username.lower() in seen:
            values['username'] = f'{username}-{user_id}'[:64]
        seen.add(values.get('username', username).lower())
        connection.execute(users.update().where(users.c.id == user_id).values(**values))

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('session_token', existing_type=sa.String(length=64), nullable=False)
    op.create_index('uq_users_username_lower', 'users', [sa.text('lower(username)')], unique=True)


def downgrade():
    op.drop_index('uq_users_username_lower', table_name='users')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_users_access_change'), type_='check')
        batch_op.drop_column('pending_change')
        batch_op.drop_column('session_token')
