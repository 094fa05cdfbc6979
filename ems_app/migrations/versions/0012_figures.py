"""The region's figures and case review: the incident's times (call, on scene, left scene, at
hospital) and why the card was not read; the hospital's outcome; one narrow row per closed case
and per decline for the figures (clustered by organisation and week, so a year's figures read one
range); and the medical-control physician's review notes.

Revision ID: 0012_figures
Revises: 0011_unit_phone
"""
from alembic import op
import sqlalchemy as sa


revision = '0012_figures'
down_revision = '0011_unit_phone'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('called_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('on_scene_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('left_scene_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('hospital_arrival_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('card_not_read_reason', sa.String(length=32), nullable=True))

    op.create_table(
        'outcomes',
        sa.Column('incident_id', sa.String(length=32), sa.ForeignKey('incidents.id'), primary_key=True),
        sa.Column('hospital_id', sa.String(length=64), sa.ForeignKey('hospitals.id'), nullable=False),
        sa.Column('severity', sa.String(length=16), nullable=False),
        sa.Column('diagnosis_system', sa.String(length=16), nullable=False),
        sa.Column('diagnosis_code', sa.String(length=16), nullable=False),
        sa.Column('diagnosis_display', sa.String(length=200), nullable=False),
        sa.Column('disposition', sa.String(length=16), nullable=False),
        sa.Column('recorded_at', sa.DateTime(), nullable=False),
        sa.Column('recorded_by', sa.String(length=128), nullable=False),
    )
    op.create_table(
        'case_figures',
        sa.Column('organisation', sa.String(length=64), primary_key=True),
        sa.Column('week', sa.Date(), primary_key=True),
        sa.Column('incident_id', sa.String(length=32), sa.ForeignKey('incidents.id'), primary_key=True),
        sa.Column('station', sa.String(length=64), nullable=False),
        sa.Column('hospital_id', sa.String(length=64), nullable=True),
        sa.Column('card', sa.String(length=16), nullable=False),
        sa.Column('not_read_reason', sa.String(length=32), nullable=True),
        sa.Column('basis', sa.String(length=32), nullable=False),
        sa.Column('inquiries', sa.Integer(), nullable=False),
        sa.Column('on_scene_min', sa.Integer(), nullable=True),
        sa.Column('difficult', sa.Boolean(), nullable=False),
        sa.Column('call_to_acceptance_min', sa.Integer(), nullable=True),
        sa.Column('acceptance_to_arrival_min', sa.Integer(), nullable=True),
        sa.Column('severity', sa.String(length=16), nullable=True),
        sa.Column('age_band', sa.String(length=8), nullable=True),
        sqlite_with_rowid=False,
    )
    op.create_index('ix_case_figures_incident', 'case_figures', ['incident_id'], unique=True)
    # The times' percentiles read only this index (no table rows), for any unit or hospital filter.
    op.create_index('ix_case_figures_times', 'case_figures', ['organisation', 'week', 'station', 'hospital_id',
                                                             'call_to_acceptance_min', 'acceptance_to_arrival_min'])
    # Each table's counters per organisation, week, unit and destination ('' when none): what a
    # year's figures sum, a few thousand rows instead of a hundred thousand cases.
    op.create_table(
        'figure_weeks',
        sa.Column('organisation', sa.String(length=64), primary_key=True),
        sa.Column('week', sa.Date(), primary_key=True),
        sa.Column('station', sa.String(length=64), primary_key=True),
        sa.Column('hospital_id', sa.String(length=64), primary_key=True),
        sa.Column('cases', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('inquiries_sum', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('difficulty_difficult', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('difficulty_not_difficult', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('difficulty_unknown', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('card_card_photo', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('card_smartphone', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('card_attributes', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('card_not_read', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('nr_not_carried', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('nr_declined', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('nr_urgent', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('nr_unreadable', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('nr_other', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('nr_certificate_expired', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('nr_card_not_found', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('nr_source_unavailable', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('nr_not_recorded', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('basis_consent', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('basis_emergency_exception', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('basis_none', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('inq_0', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('inq_1', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('inq_2', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('inq_3', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('inq_4', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('inq_5p', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('sev_death', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('sev_severe', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('sev_moderate', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('sev_mild', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('sev_other', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('sev_not_returned', sa.Integer(), nullable=False, server_default='0'),
        sqlite_with_rowid=False,
    )
    op.create_table(
        'decline_weeks',
        sa.Column('organisation', sa.String(length=64), primary_key=True),
        sa.Column('week', sa.Date(), primary_key=True),
        sa.Column('station', sa.String(length=64), primary_key=True),
        sa.Column('hospital_id', sa.String(length=64), primary_key=True),
        sa.Column('reason', sa.String(length=32), primary_key=True),
        sa.Column('declines', sa.Integer(), nullable=False),
        sqlite_with_rowid=False,
    )
    op.create_table(
        'case_reviews',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('incident_id', sa.String(length=32), sa.ForeignKey('incidents.id'), nullable=False),
        sa.Column('organisation', sa.String(length=64), nullable=False),
        sa.Column('author', sa.String(length=64), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
    )
    op.create_index('ix_case_reviews_incident', 'case_reviews', ['incident_id'])


def downgrade() -> None:
    op.drop_index('ix_case_reviews_incident', table_name='case_reviews')
    op.drop_table('case_reviews')
    op.drop_table('decline_weeks')
    op.drop_table('figure_weeks')
    op.drop_index('ix_case_figures_times', table_name='case_figures')
    op.drop_index('ix_case_figures_incident', table_name='case_figures')
    op.drop_table('case_figures')
    op.drop_table('outcomes')
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        for column in ('card_not_read_reason', 'hospital_arrival_at', 'left_scene_at', 'on_scene_at', 'called_at'):
            batch_op.drop_column(column)
