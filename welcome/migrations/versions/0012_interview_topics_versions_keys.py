"""Interview: everyday topics as catalogue rows ticked per need, needs versioned, one-time
keys of interview forms.

A need's topics used to be written into its description ("Kaution, Maklercourtage – note")
and read back by splitting the text, which lost notes and broke on a change of language.
The topic lines of each field become rows with stable codes (the same codes the catalogue
file uses), and descriptions written in the old form are split once into ticked topics and
the note.

Revision ID: 0012
Revises: 0007
Create Date: 2026-12-01
"""
import re
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0007'
branch_labels = None
depends_on = None

#: How the interview used to join ticked topics and the note into one description.
OLD_TOPIC_SEPARATOR = ", "
OLD_NOTE_SEPARATOR = " – "

field_topics = sa.table(
    'field_topics',
    sa.column('id', sa.Integer), sa.column('code', sa.String), sa.column('field_of_action_id', sa.Integer),
    sa.column('label_de', sa.String), sa.column('label_en', sa.String), sa.column('active', sa.Boolean),
    sa.column('sort_order', sa.Integer), sa.column('created_at', sa.DateTime(timezone=True)),
    sa.column('updated_at', sa.DateTime(timezone=True)),
)
need_topics = sa.table('need_topics', sa.column('need_id', sa.Integer), sa.column('topic_id', sa.Integer))


def upgrade():
    op.create_table('field_topics',
    sa.Column('code', sa.String(length=80), nullable=False),
    sa.Column('field_of_action_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('label_de', sa.String(length=200), nullable=False),
    sa.Column('label_en', sa.String(length=200), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['field_of_action_id'], ['fields_of_action.id'], name=op.f('fk_field_topics_field_of_action_id_fields_of_action'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_field_topics')),
    sa.UniqueConstraint('code', name=op.f('uq_field_topics_code'))
    )
    with op.batch_alter_table('field_topics', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_field_topics_active'), ['active'], unique=False)
        batch_op.create_index(batch_op.f('ix_field_topics_field_of_action_id'), ['field_of_action_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_field_topics_sort_order'), ['sort_order'], unique=False)

    op.create_table('need_topics',
    sa.Column('need_id', sa.Integer(), nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['need_id'], ['needs.id'], name=op.f('fk_need_topics_need_id_needs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['topic_id'], ['field_topics.id'], name=op.f('fk_need_topics_topic_id_field_topics'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('need_id', 'topic_id', name=op.f('pk_need_topics'))
    )
    with op.batch_alter_table('need_topics', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_need_topics_topic_id'), ['topic_id'], unique=False)

    op.create_table('interview_keys',
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('interview_id', sa.Integer(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('step', sa.Enum('household', 'arrival', 'needs', 'partners', 'consent', 'summary', name='interview_key_step', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['interview_id'], ['interviews.id'], name=op.f('fk_interview_keys_interview_id_interviews'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_interview_keys'))
    )
    with op.batch_alter_table('interview_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interview_keys_interview_id'), ['interview_id'], unique=False)

    connection = op.get_bind()
    labels = _move_topic_lines(connection)
    _split_old_descriptions(connection, labels)

    with op.batch_alter_table('fields_of_action', schema=None) as batch_op:
        batch_op.drop_column('topics_de')
        batch_op.drop_column('topics_en')

    with op.batch_alter_table('needs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default=sa.text('1')))
    with op.batch_alter_table('needs', schema=None) as batch_op:
        batch_op.alter_column('version', server_default=None)


def downgrade():
    with op.batch_alter_table('needs', schema=None) as batch_op:
        batch_op.drop_column('version')

    with op.batch_alter_table('fields_of_action', schema=None) as batch_op:
        batch_op.add_column(sa.Column('topics_en', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('topics_de', sa.Text(), nullable=False, server_default=''))

    connection = op.get_bind()
    _join_topic_lines(connection)

    with op.batch_alter_table('interview_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_interview_keys_interview_id'))

    op.drop_table('interview_keys')
    with op.batch_alter_table('need_topics', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_need_topics_topic_id'))

    op.drop_table('need_topics')
    with op.batch_alter_table('field_topics', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_field_topics_sort_order'))
        batch_op.drop_index(batch_op.f('ix_field_topics_field_of_action_id'))
        batch_op.drop_index(batch_op.f('ix_field_topics_active'))

    op.drop_table('field_topics')


def _slug(text):
    """The key part of a topic code, as the catalogue file writes it: ``broker_fees``."""
    text = text.lower()
    for old, new in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss"), ("'", "")):
        text = text.replace(old, new)
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def _lines(text):
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _move_topic_lines(connection):
    """One topic row per line of the old text columns (German and English paired by position).

    :return: per field id, every label (German and English) → the topic row's id.
    """
    now = datetime.now(timezone.utc)
    labels = {}
    used = set()
    fields = connection.execute(sa.text(
        "SELECT id, code, topics_de, topics_en FROM fields_of_action ORDER BY id")).all()
    for field_id, field_code, topics_de, topics_en in fields:
        german, english = _lines(topics_de), _lines(topics_en)
        labels[field_id] = {}
        for position in range(max(len(german), len(english))):
            label_de = german[position] if position < len(german) else english[position]
            label_en = english[position] if position < len(english) else label_de
            code = f"{field_code}.{_slug(label_en) or position + 1}"[:80]
            while code in used:
                code = f"{code[:72]}_{position + 1}"
            used.add(code)
            connection.execute(field_topics.insert().values(
                code=code, field_of_action_id=field_id, label_de=label_de, label_en=label_en,
                active=True, sort_order=(position + 1) * 10, created_at=now, updated_at=now))
            topic_id = connection.execute(
                sa.select(field_topics.c.id).where(field_topics.c.code == code)).scalar_one()
            labels[field_id].setdefault(label_de, topic_id)
            labels[field_id].setdefault(label_en, topic_id)
    return labels


def _split_old_descriptions(connection, labels):
    """"Kaution, Maklercourtage – bis März" becomes two ticked topics and the note.

    Only a description whose leading part consists of nothing but topic labels of its field
    is split; any other text stays the note as it is.
    """
    needs = connection.execute(sa.text(
        "SELECT id, field_of_action_id, description FROM needs WHERE description IS NOT NULL")).all()
    for need_id, field_id, description in needs:
        known = labels.get(field_id, {})
        head, separator, note = description.partition(OLD_NOTE_SEPARATOR)
        parts = [part.strip() for part in head.split(OLD_TOPIC_SEPARATOR)]
        if not known or not all(part in known for part in parts):
            continue
        for topic_id in dict.fromkeys(known[part] for part in parts):
            connection.execute(need_topics.insert().values(need_id=need_id, topic_id=topic_id))
        connection.execute(
            sa.text("UPDATE needs SET description = :note WHERE id = :id"),
            {"note": note.strip() if separator and note.strip() else None, "id": need_id})


def _join_topic_lines(connection):
    """Back to one line per topic, and ticked topics written in front of the note again."""
    for field_id, in connection.execute(sa.text("SELECT id FROM fields_of_action")).all():
        rows = connection.execute(sa.text(
            "SELECT label_de, label_en FROM field_topics WHERE field_of_action_id = :id "
            "ORDER BY sort_order, id"), {"id": field_id}).all()
        connection.execute(
            sa.text("UPDATE fields_of_action SET topics_de = :de, topics_en = :en WHERE id = :id"),
            {"de": "\n".join(row[0] for row in rows), "en": "\n".join(row[1] for row in rows),
             "id": field_id})
    needs = connection.execute(sa.text(
        "SELECT DISTINCT need_id FROM need_topics")).all()
    for need_id, in needs:
        ticked = [row[0] for row in connection.execute(sa.text(
            "SELECT t.label_de FROM need_topics n JOIN field_topics t ON t.id = n.topic_id "
            "WHERE n.need_id = :id ORDER BY t.sort_order, t.id"), {"id": need_id}).all()]
        note = connection.execute(sa.text("SELECT description FROM needs WHERE id = :id"),
                                  {"id": need_id}).scalar()
        description = OLD_TOPIC_SEPARATOR.join(ticked)
        if note:
            description = f"{description}{OLD_NOTE_SEPARATOR}{note}"
        connection.execute(sa.text("UPDATE needs SET description = :d WHERE id = :id"),
                           {"d": description[:500], "id": need_id})
