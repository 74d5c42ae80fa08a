"""Welcome folder: exports with their sections and hash; resources in German with translations.

A resource used to be one row per language. Now each row is German (the language the folder
prints alongside) and carries translations; rows that were in another language keep their
text as a translation into that language and, until staff write the German text, also as
their main title and text.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('resource_translations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resource_id', sa.Integer(), nullable=False),
    sa.Column('language_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('url', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['language_id'], ['languages.id'], name=op.f('fk_resource_translations_language_id_languages'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['resource_id'], ['resources.id'], name=op.f('fk_resource_translations_resource_id_resources'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resource_translations')),
    sa.UniqueConstraint('resource_id', 'language_id', name=op.f('uq_resource_translations_resource_id_language_id'))
    )
    with op.batch_alter_table('resource_translations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resource_translations_language_id'), ['language_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_resource_translations_resource_id'), ['resource_id'], unique=False)

    op.create_table('dossier_exports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('exported_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('exported_by_id', sa.Integer(), nullable=True),
    sa.Column('exported_by_name', sa.String(length=64), nullable=False),
    sa.Column('language_id', sa.Integer(), nullable=False),
    sa.Column('page_count', sa.Integer(), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.CheckConstraint('length(sha256) = 64', name=op.f('ck_dossier_exports_sha256_hex')),
    sa.CheckConstraint('page_count > 0', name=op.f('ck_dossier_exports_has_pages')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_dossier_exports_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['exported_by_id'], ['users.id'], name=op.f('fk_dossier_exports_exported_by_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['language_id'], ['languages.id'], name=op.f('fk_dossier_exports_language_id_languages'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dossier_exports'))
    )
    with op.batch_alter_table('dossier_exports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dossier_exports_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_dossier_exports_exported_at'), ['exported_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_dossier_exports_exported_by_id'), ['exported_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_dossier_exports_language_id'), ['language_id'], unique=False)

    op.create_table('dossier_export_sections',
    sa.Column('export_id', sa.Integer(), nullable=False),
    sa.Column('section', sa.Enum('cover', 'next_steps', 'contacts', 'activity_log', 'appointment_preparation', 'appointments', 'data_protection', name='dossier_section', native_enum=False, create_constraint=True), nullable=False),
    sa.ForeignKeyConstraint(['export_id'], ['dossier_exports.id'], name=op.f('fk_dossier_export_sections_export_id_dossier_exports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('export_id', 'section', name=op.f('pk_dossier_export_sections'))
    )
    op.execute(
        "INSERT INTO resource_translations (resource_id, language_id, title, text, url, "
        "created_at, updated_at) "
        "SELECT r.id, r.language_id, r.title, r.text, NULL, r.created_at, r.updated_at "
        "FROM resources r JOIN languages l ON l.id = r.language_id WHERE l.code <> 'de'")
    with op.batch_alter_table('resources', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resources_language_id'))
        batch_op.drop_constraint(batch_op.f('fk_resources_language_id_languages'), type_='foreignkey')
        batch_op.drop_column('language_id')



def downgrade():
    with op.batch_alter_table('resources', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language_id', sa.INTEGER(), nullable=True))
    op.execute("UPDATE resources SET language_id = (SELECT id FROM languages WHERE code = 'de')")
    with op.batch_alter_table('resources', schema=None) as batch_op:
        batch_op.alter_column('language_id', existing_type=sa.INTEGER(), nullable=False)
        batch_op.create_foreign_key(batch_op.f('fk_resources_language_id_languages'), 'languages', ['language_id'], ['id'], ondelete='RESTRICT')
        batch_op.create_index(batch_op.f('ix_resources_language_id'), ['language_id'], unique=False)

    op.drop_table('dossier_export_sections')
    with op.batch_alter_table('dossier_exports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dossier_exports_language_id'))
        batch_op.drop_index(batch_op.f('ix_dossier_exports_exported_by_id'))
        batch_op.drop_index(batch_op.f('ix_dossier_exports_exported_at'))
        batch_op.drop_index(batch_op.f('ix_dossier_exports_case_id'))

    op.drop_table('dossier_exports')
    with op.batch_alter_table('resource_translations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resource_translations_resource_id'))
        batch_op.drop_index(batch_op.f('ix_resource_translations_language_id'))

    op.drop_table('resource_translations')
