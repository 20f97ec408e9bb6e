"""Initial schema: every table of the domain model (see placedesk/models).

Revision ID: 0001
Revises: 
Create Date: 2026-11-23 13:02:16.572472
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import placedesk.models.base

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('audit_event',
    sa.Column('occurred_at', placedesk.models.base.UTCDateTime(), nullable=False),
    sa.Column('officer', sa.String(length=200), nullable=False),
    sa.Column('entity', sa.String(length=64), nullable=False),
    sa.Column('entity_id', sa.Uuid(), nullable=False),
    sa.Column('action', sa.Enum('insert', 'update', 'delete', name='audit_action', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', placedesk.models.base.UTCDateTime(), nullable=False),
    sa.Column('updated_at', placedesk.models.base.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index('ix_audit_event_entity', ['entity', 'entity_id'], unique=False)
        batch_op.create_index('ix_audit_event_occurred_at', ['occurred_at'], unique=False)

    op.create_table('child',
    sa.Column('case_reference', sa.String(length=40), nullable=False),
    sa.Column('first_name', sa.String(length=120), nullable=False),
    sa.Column('last_name', sa.String(length=120), nullable=False),
    sa.Column('known_as', sa.String(length=120), nullable=False),
    sa.Column('date_of_birth', sa.Date(), nullable=False),
    sa.Column('gender', sa.String(length=40), nullable=False),
    sa.Column('ethnicity', sa.String(length=80), nullable=False),
    sa.Column('religion', sa.String(length=80), nullable=False),
    sa.Column('language', sa.String(length=80), nullable=False),
    sa.Column('home_local_authority', sa.String(length=120), nullable=False),
    sa.Column('home_postcode', sa.String(length=10), nullable=False),
    sa.Column('legal_status', sa.String(length=4), nullable=False),
    sa.Column('social_worker_name', sa.String(length=200), nullable=False),
    sa.Column('social_worker_email', sa.String(length=320), nullable=False),
    sa.Column('social_worker_phone', sa.String(length=40), nullable=False),
    sa.Column('has_ehcp', sa.Boolean(), nullable=False),
    sa.Column('ehcp_review_date', sa.Date(), nullable=True),
    sa.Column('pathway_plan_date', sa.Date(), nullable=True),
    sa.Column('transition_plan', sa.Text(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', placedesk.models.base.UTCDateTime(), nullable=False),
    sa.Column('updated_at', placedesk.models.base.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_child')),
    sa.UniqueConstraint('case_reference', name=op.f('uq_child_case_reference'))
    )
    with op.batch_alter_table('child', schema=None) as batch_op:
        batch_op.create_index('ix_child_last_name', ['last_name'], unique=False)

    op.create_table('kpi_definition',
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('kind', sa.Enum('outcome', 'output', 'process', name='kpi_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('unit', sa.String(length=40), nullable=False),
    sa.Column('direction', sa.Enum('higher_is_better', 'lower_is_better', name='kpi_direction', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('target', sa.Float(), nullable=False),
    sa.Column('amber_threshold', sa.Float(), nullable=False),
    sa.Column('scope', sa.Enum('provider', 'placement', name='kpi_scope', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', placedesk.models.base.UTCDateTime(), nullable=False),
    sa.Column('updated_at', placedesk.models.base.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kpi_definition')),
    sa.UniqueConstraint('code', name=op.f('uq_kpi_definition_code'))
    )
    op.create_table('officer_profile',
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=200), nullable=False),
    sa.Column('local_authority', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('laptop_id', sa.String(length=64), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', placedesk.models.base.UTCDateTime(), nullable=False),
    sa.Column('updated_at', placedesk.models.base.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_officer_profile'))
    )
    op.create_table('postcode_location',
    sa.Column('postcode', sa.String(length=10), nullable=False),
    sa.Column('latitude', sa.Float(), nullable=False),
    sa.Column('longitude', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('postcode', name=op.f('pk_postcode_location'))
    )
    op.create_table('provider',
    sa.Column('ref', sa.String(length=32), nullable=False),
    sa.Column('urn', sa.String(length=16), nullable=True),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('provider_type', sa.Enum('ifa', 'childrens_home', 'supported_accommodation', 'residential_special_school', 'parent_and_child', 'in_house_fostering', name='provider_type', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('registration_status', sa.String(length=64), nullable=False),
    sa.Column('owner_organisation', sa.String(length=300), nullable=False),
    sa.Column('address_line1', sa.String(length=300), nullable=False),
    sa.Column('address_line2', sa.String(length=300), nullable=False),
    sa.Column('town', sa.String(length=120), nullable=False),
    sa.Column('postcode', sa.String(length=10), nullable=False),
    sa.Column('local_authority', sa.String(length=120), nullable=False),
    sa.Column('region', sa.String(length=120), nullable=False),
    sa.Column('sector', sa.String(length=32), nullable=False),
    sa.Column('contract_route', sa.Enum('framework', 'dpv', 'spot', name='contract_route', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('framework_name', sa.String(length=200), nullable=False),
    sa.Column('contact_name', sa.String(length=200), nullable=False),
    sa.Column('contact_email', sa.String(length=320), nullable=False),
    sa.Column('contact_phone', sa.String(length=40), nullable=False),
    sa.Column('places', sa.Integer(), nullable=False),
    sa.Column('vacancies', sa.Integer(), nullable=False),
    sa.Column('capabilities', sa.JSON(), nullable=False),
    sa.Column('weekly_rate_from_pence', sa.Integer(), nullable=True),
    sa.Column('weekly_rate_to_pence', sa.Integer(), nullable=True),
    sa.Column('ofsted_judgement', sa.Enum('outstanding', 'good', 'requires_improvement', 'inadequate', 'not_yet_inspected', name='ofsted_judgement', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('last_inspection_date', sa.Date(), nullable=True),
    sa.Column('suspended', sa.Boolean(), nullable=False),
    sa.Column('suspension_reason', sa.Text(), nullable=False),
    sa.Column('suspended_from', sa.Date(), nullable=True),
    sa.Column('suspended_until', sa.Date(), nullable=True),
    sa.Column('risk_level', sa.Enum('low', 'medium', 'high', name='risk_level', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('risk_override', sa.Enum('low', 'medium', 'high', name='risk_override', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('risk_override_reason', sa.Text(), nullable=False),
    sa.Column('kpi_import_mapping', sa.JSON(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', placedesk.models.base.UTCDateTime(), nullable=False),
    sa.Column('updated_at', placedesk.models.base.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('places >= 0', name=op.f('ck_provider_places_not_negative')),
    sa.CheckConstraint('suspended_until IS NULL OR suspended_from IS NULL OR suspended_until >= suspended_from', name=op.f('ck_provider_suspension_end_after_start')),
    sa.CheckConstraint('vacancies >= 0 AND vacancies <= places', name=op.f('ck_provider_vacancies_within_places')),
    sa.CheckConstraint('weekly_rate_from_pence IS NULL OR weekly_rate_from_pence >= 0', name=op.f('ck_provider_rate_from_not_negative')),
    sa.CheckConstraint('weekly_rate_to_pence IS NULL OR weekly_rate_from_pence IS NULL OR weekly_rate_to_pence >= weekly_rate_from_pence', name=op.f('ck_provider_rate_range_ordered')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_provider')),
    sa.UniqueConstraint('ref', name=op.f('uq_provider_ref')),
    sa.UniqueConstraint('urn', name=op.f('uq_provider_urn'))
    )
    with op.batch_alter_table('provider', schema=None) as batch_op:
        batch_op.create_index('ix_provider_local_authority', ['local_authority'], unique=False)
        batch_op.create_index('ix_provider_name', ['name'], unique=False)

    op.create_table('star_scale',
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('areas', sa.JSON(), nullable=False),
    sa.Column('min_score', sa.Integer(), nullable=False),
    sa.Column('max_score', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', placedesk.models.base.UTCDateTime(), nullable=False),
    sa.Column('updated_at', placedesk.models.base.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('min_score < max_score', name=op.f('ck_star_scale_range_ordered')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_star_scale')),
    sa.UniqueConstraint('name', name=op.f('uq_star_scale_name'))
    )
    op.create_table('stored_document',
    sa.Column('filename', sa.String(length=260), nullable=False),
    sa.Column('media_type', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', placedesk.models.base.UTCDateTime(), nullable=False),
    sa.Column('updated_at', placedesk.models.base.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stored_document'))
    )
    with op.batch_alter_table('stored_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stored_document_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_stored_document_sha256'), ['sha256'], unique=False)

    op.create_table('sync_conflict',
    sa.Column('entity', sa.String(length=64), nullable=False),
    sa.Column('entity_id', sa.Uuid(), nullable=False),
    sa.Column('bundle_id', sa.String(length=64), nullable=False),
    sa.Column('local_data', sa.JSON(), nullable=False),
    sa.Column('remote_data', sa.JSON(), nullable=False),
    sa.Column('resolution', sa.Enum('keep_local', 'take_remote', name='conflict_resolution', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('resolved_by', sa.String(length=200), nullable=False),
    sa.Column('resolved_at', placedesk.models.base.UTCDateTime(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', placedesk.models.base.UTCDateTime(), nullable=False),
    sa.Column('updated_at', placedesk.models.base.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sync_conflict'))
    )
    op.create_table('sync_record',
    sa.Column('direction', sa.Enum('export', 'import', name='sync_direction', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('bundle_id', sa.String(length=64), nullable=False),
    sa.Column('laptop_id', sa.String(length=64), nullable=False),
    sa.Column('officer', sa.String(length=200), nullable=False),
    sa.Column('path', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('delivered', 'waiting', 'applied', name='export_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('since', placedesk.models.base.UTCDateTime(), nullable=True),
    sa.Column('record_count', sa.Integer(), nullable=False),
    sa.Column('delivered_at', placedesk.models.base.UTCDateTime(), nullable=True),
    sa.Column('bundle_created_at', placedesk.models.base.UTCDateTime(), nullable=True),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', placedesk.models.base.UTCDateTime(), nullable=False),
    sa.Column('updated_at', placedesk.models.base.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sync_record'))
    )
    with op.batch_alter_table('sync_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sync_record_bundle_id'), ['bundle_id'], unique=False)

    op.create_table('care_period',
    sa.Column('child_id', sa.Uuid(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('legal_status', sa.String(length=4), nullable=False),
    sa.Column('placement_code', sa.String(length=4), nullable=False),
    sa.Column('reason_new_episode', sa.String(length=4), nullable=False),
    sa.Column('reason_ended', sa.String(length=4), nullable=False),
    sa.Column('category_of_need', sa.String(length=4), nullable=False),
    sa.Column('place_provider', sa.String(length=4), nullable=False),
    sa.Column('urn', sa.String(length=16), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', placedesk.models.base.UTCDateTime(), nullable=False),
    sa.Column('updated_at', placedesk.models.base.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('end_date IS NULL OR end_date >= start_date', name=op.f('ck_care_period_end_after_start')),
    sa.ForeignKeyConstraint(['child_id'], ['child.id'], name=op.f('fk_care_period_child_id_child'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_care_period'))
    )
    with op.batch_alter_table('care_period', schema=None) as batch_op:
        batch_op.create_index('ix_care_period_child_start', ['child_id', 'start_date'], unique=False)

    op.create_table('inspection',
    sa.Column('provider_id', sa.Uuid(), nullable=False),
    sa.Column('inspection_date', sa.Date(), nullable=False),
    sa.Column('judgement', sa.Enum('outstanding', 'good', 'requires_improvement', 'inadequate', 'not_yet_inspected', name='judgement', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('inspection_type', sa.String(length=64), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', placedesk.models.base.UTCDateTime(), nullable=False),
    sa.Column('updated_at', placedesk.models.base.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['provider_id'], ['provider.id'], name=op.f('fk_inspection_provider_id_provider'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection'))
    )
    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.create_index('ix_inspection_provider_date', ['provider_id', 'inspection_date'], unique=False)

    op.create_table('referral',
    sa.Column('ref', sa.String(length=32), nullable=False),
    sa.Column('child_id', sa.Uuid(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'ready', 'sent', 'offers_received', 'awarded', 'ipa_issued', 'ipa_signed', 'placed', 'ended', 'withdrawn', name='referral_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('wizard_step', sa.Integer(), nullable=False),
    sa.Column('referred_on', sa.Date(), nullable=True),
    sa.Column('legal_status', sa.String(length=4), nullable=False),
    sa.Column('placement_type', sa.Enum('fostering', 'childrens_home', 'supported_accommodation', 'residential_school', 'parent_and_child', name='placement_type', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('needs', sa.JSON(), nullable=False),
    sa.Column('risks', sa.JSON(), nullable=False),
    sa.Column('needs_summary', sa.Text(), nullable=False),
    sa.Column('risks_summary', sa.Text(), nullable=False),
    sa.Column('education_summary', sa.Text(), nullable=False),
    sa.Column('health_summary', sa.Text(), nullable=False),
    sa.Column('identity_summary', sa.Text(), nullable=False),
    sa.Column('max_distance_km', sa.Double(), nullable=True),
    sa.Column('location_notes', sa.Text(), nullable=False),
    sa.Column('school_postcode', sa.String(length=10), nullable=False),
    sa.Column('family_contact_notes', sa.Text(), nullable=False),
    sa.Column('required_start_date', sa.Date(), nullable=True),
    sa.Column('urgency', sa.Enum('emergency', 'planned', name='urgency', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('budget_ceiling_pence', sa.Integer(), nullable=True),
    sa.Column('response_by', sa.Date(), nullable=True),
    sa.Column('spot_reason', sa.Text(), nullable=False),
    sa.Column('withdrawn_reason', sa.Text(), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', placedesk.models.base.UTCDateTime(), nullable=False),
    sa.Column('updated_at', placedesk.models.base.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('budget_ceiling_pence IS NULL OR budget_ceiling_pence >= 0', name=op.f('ck_referral_budget_not_negative')),
    sa.CheckConstraint('max_distance_km IS NULL OR max_distance_km > 0', name=op.f('ck_referral_distance_positive')),
    sa.CheckConstraint('wizard_step >= 0 AND wizard_step <= 6', name=op.f('ck_referral_wizard_step_in_range')),
    sa.ForeignKeyConstraint(['child_id'], ['child.id'], name=op.f('fk_referral_child_id_child'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral')),
    sa.UniqueConstraint('ref', name=op.f('uq_referral_ref'))
    )
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.create_index('ix_referral_status', ['status'], unique=False)

    op.create_table('referral_funding_share',
    sa.Column('referral_id', sa.Uuid(), nullable=False),
    sa.Column('partner', sa.Enum('social_care', 'education', 'health', name='funding_partner', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('share_bp', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', placedesk.models.base.UTCDateTime(), nullable=False),
    sa.Column('updated_at', placedesk.models.base.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('share_bp >= 0 AND share_bp <= 10000', name=op.f('ck_referral_funding_share_share_in_range')),
    sa.ForeignKeyConstraint(['referral_id'], ['referral.id'], name=op.f('fk_referral_funding_share_referral_id_referral'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral_funding_share')),
    sa.UniqueConstraint('referral_id', 'partner', name=op.f('uq_referral_funding_share_referral_id_partner'))
    )
    op.create_table('referral_recipient',
    sa.Column('referral_id', sa.Uuid(), nullable=False),
    sa.Column('provider_id', sa.Uuid(), nullable=False),
    sa.Column('sent_on', sa.Date(), nullable=True),
    sa.Column('pack_sha256', sa.String(length=64), nullable=False),
    sa.Column('response', sa.Enum('awaiting', 'offered', 'declined', name='recipient_response', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('responded_on', sa.Date(), nullable=True),
    sa.Column('decline_reason', sa.Enum('no_vacancy', 'cannot_meet_needs', 'matching_impact', 'location', 'risk_too_high', 'start_date', 'other', name='decline_reason', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('decline_notes', sa.Text(), nullable=False),
    sa.Column('match_score', sa.Double(), nullable=True),
    sa.Column('match_reasons', sa.JSON(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', placedesk.models.base.UTCDateTime(), nullable=False),
    sa.Column('updated_at', placedesk.models.base.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['provider_id'], ['provider.id'], name=op.f('fk_referral_recipient_provider_id_provider'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['referral_id'], ['referral.id'], name=op.f('fk_referral_recipient_referral_id_referral'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral_recipient')),
    sa.UniqueConstraint('referral_id', 'provider_id', name=op.f('uq_referral_recipient_referral_id_provider_id'))
    )
    with op.batch_alter_table('referral_recipient', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referral_recipient_provider_id'), ['provider_id'], unique=False)

    op.create_table('offer',
    sa.Column('recipient_id', sa.Uuid(), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=True),
    sa.Column('proposed_start_date', sa.Date(), nullable=True),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('conditions', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('open', 'accepted', 'rejected', 'withdrawn', name='offer_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', placedesk.models.base.UTCDateTime(), nullable=False),
    sa.Column('updated_at', placedesk.models.base.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('expires_on IS NULL OR received_on IS NULL OR expires_on >= received_on', name=op.f('ck_offer_expiry_after_receipt')),
    sa.ForeignKeyConstraint(['recipient_id'], ['referral_recipient.id'], name=op.f('fk_offer_recipient_id_referral_recipient'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_offer'))
    )
    with op.batch_alter_table('offer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_offer_recipient_id'), ['recipient_id'], unique=False)

    op.create_table('offer_fee_line',
    sa.Column('offer_id', sa.Uuid(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('core', 'additional_support', 'education', 'health_therapy', 'other', name='fee_line_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('description', sa.String(length=300), nullable=False),
    sa.Column('weekly_amount_pence', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', placedesk.models.base.UTCDateTime(), nullable=False),
    sa.Column('updated_at', placedesk.models.base.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('weekly_amount_pence >= 0', name=op.f('ck_offer_fee_line_amount_not_negative')),
    sa.ForeignKeyConstraint(['offer_id'], ['offer.id'], name=op.f('fk_offer_fee_line_offer_id_offer'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_offer_fee_line'))
    )
    with op.batch_alter_table('offer_fee_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_offer_fee_line_offer_id'), ['offer_id'], unique=False)

    op.create_table('placement',
    sa.Column('ref', sa.String(length=32), nullable=False),
    sa.Column('referral_id', sa.Uuid(), nullable=True),
    sa.Column('child_id', sa.Uuid(), nullable=False),
    sa.Column('provider_id', sa.Uuid(), nullable=False),
    sa.Column('offer_id', sa.Uuid(), nullable=True),
    sa.Column('placement_type', sa.Enum('fostering', 'childrens_home', 'supported_accommodation', 'residential_school', 'parent_and_child', name='placement_type', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('placement_address', sa.Text(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('planned_end_date', sa.Date(), nullable=True),
    sa.Column('review_date', sa.Date(), nullable=True),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('end_reason', sa.Text(), nullable=False),
    sa.Column('award_reason', sa.Enum('value', 'quality', 'proximity', 'only_offer', name='award_reason', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('award_justification', sa.Text(), nullable=False),
    sa.Column('approved_by', sa.String(length=200), nullable=False),
    sa.Column('approved_on', sa.Date(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', placedesk.models.base.UTCDateTime(), nullable=False),
    sa.Column('updated_at', placedesk.models.base.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('end_date IS NULL OR end_date >= start_date', name=op.f('ck_placement_end_after_start')),
    sa.CheckConstraint('planned_end_date IS NULL OR planned_end_date >= start_date', name=op.f('ck_placement_planned_end_after_start')),
    sa.ForeignKeyConstraint(['child_id'], ['child.id'], name=op.f('fk_placement_child_id_child'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['offer_id'], ['offer.id'], name=op.f('fk_placement_offer_id_offer'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['provider_id'], ['provider.id'], name=op.f('fk_placement_provider_id_provider'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['referral_id'], ['referral.id'], name=op.f('fk_placement_referral_id_referral'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_placement')),
    sa.UniqueConstraint('ref', name=op.f('uq_placement_ref'))
    )
    with op.batch_alter_table('placement', schema=None) as batch_op:
        batch_op.create_index('ix_placement_child', ['child_id'], unique=False)
        batch_op.create_index('ix_placement_provider', ['provider_id', 'end_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_placement_referral_id'), ['referral_id'], unique=False)

    op.create_table('agreement',
    sa.Column('placement_id', sa.Uuid(), nullable=False),
    sa.Column('ref', sa.String(length=48), nullable=False),
    sa.Column('version_number', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'officer_signed', 'countersigned', 'superseded', name='agreement_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=True),
    sa.Column('review_dates', sa.JSON(), nullable=False),
    sa.Column('payment_terms', sa.Text(), nullable=False),
    sa.Column('notice_period_days', sa.Integer(), nullable=False),
    sa.Column('special_conditions', sa.Text(), nullable=False),
    sa.Column('outcomes', sa.JSON(), nullable=False),
    sa.Column('change_reason', sa.Text(), nullable=False),
    sa.Column('supersedes_id', sa.Uuid(), nullable=True),
    sa.Column('unsigned_document_id', sa.Uuid(), nullable=True),
    sa.Column('officer_signed_document_id', sa.Uuid(), nullable=True),
    sa.Column('countersigned_document_id', sa.Uuid(), nullable=True),
    sa.Column('officer_signer', sa.String(length=200), nullable=False),
    sa.Column('officer_signed_at', placedesk.models.base.UTCDateTime(), nullable=True),
    sa.Column('countersigner_name', sa.String(length=300), nullable=False),
    sa.Column('countersigned_at', placedesk.models.base.UTCDateTime(), nullable=True),
    sa.Column('countersigner_certificate_subject', sa.Text(), nullable=False),
    sa.Column('countersigner_certificate_issuer', sa.Text(), nullable=False),
    sa.Column('countersigner_certificate_serial', sa.String(length=100), nullable=False),
    sa.Column('countersigner_certificate_sha256', sa.String(length=64), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', placedesk.models.base.UTCDateTime(), nullable=False),
    sa.Column('updated_at', placedesk.models.base.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('notice_period_days >= 0', name=op.f('ck_agreement_notice_not_negative')),
    sa.CheckConstraint('version_number >= 1', name=op.f('ck_agreement_version_number_positive')),
    sa.ForeignKeyConstraint(['countersigned_document_id'], ['stored_document.id'], name=op.f('fk_agreement_countersigned_document_id_stored_document')),
    sa.ForeignKeyConstraint(['officer_signed_document_id'], ['stored_document.id'], name=op.f('fk_agreement_officer_signed_document_id_stored_document')),
    sa.ForeignKeyConstraint(['placement_id'], ['placement.id'], name=op.f('fk_agreement_placement_id_placement'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['supersedes_id'], ['agreement.id'], name=op.f('fk_agreement_supersedes_id_agreement'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['unsigned_document_id'], ['stored_document.id'], name=op.f('fk_agreement_unsigned_document_id_stored_document')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreement')),
    sa.UniqueConstraint('placement_id', 'version_number', name=op.f('uq_agreement_placement_id_version_number'))
    )
    with op.batch_alter_table('agreement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agreement_placement_id'), ['placement_id'], unique=False)

    op.create_table('cap',
    sa.Column('ref', sa.String(length=32), nullable=False),
    sa.Column('provider_id', sa.Uuid(), nullable=False),
    sa.Column('placement_id', sa.Uuid(), nullable=True),
    sa.Column('source', sa.Enum('visit', 'kpi', 'inspection', 'complaint', 'other', name='cap_source', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('source_id', sa.Uuid(), nullable=True),
    sa.Column('issue', sa.Text(), nullable=False),
    sa.Column('evidence', sa.Text(), nullable=False),
    sa.Column('approach', sa.Enum('developmental', 'punitive', name='cap_approach', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('severity', sa.Enum('low', 'medium', 'high', 'critical', name='cap_severity', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('status', sa.Enum('open', 'escalated', 'closed', name='cap_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('opened_on', sa.Date(), nullable=False),
    sa.Column('factor_seriousness', sa.Text(), nullable=False),
    sa.Column('factor_risks', sa.Text(), nullable=False),
    sa.Column('factor_contract_breached', sa.Boolean(), nullable=False),
    sa.Column('factor_relationship', sa.Text(), nullable=False),
    sa.Column('factor_provider_response', sa.Text(), nullable=False),
    sa.Column('outcome', sa.Enum('resolved', 'escalated', 'terminated', name='cap_outcome', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('closing_notes', sa.Text(), nullable=False),
    sa.Column('owner', sa.String(length=200), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', placedesk.models.base.UTCDateTime(), nullable=False),
    sa.Column('updated_at', placedesk.models.base.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("status != 'closed' OR outcome IS NOT NULL", name=op.f('ck_cap_closed_has_outcome')),
    sa.CheckConstraint('closed_on IS NULL OR closed_on >= opened_on', name=op.f('ck_cap_closed_after_opened')),
    sa.ForeignKeyConstraint(['placement_id'], ['placement.id'], name=op.f('fk_cap_placement_id_placement'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['provider_id'], ['provider.id'], name=op.f('fk_cap_provider_id_provider'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cap')),
    sa.UniqueConstraint('ref', name=op.f('uq_cap_ref'))
    )
    with op.batch_alter_table('cap', schema=None) as batch_op:
        batch_op.create_index('ix_cap_provider_status', ['provider_id', 'status'], unique=False)

    op.create_table('kpi_value',
    sa.Column('definition_id', sa.Uuid(), nullable=False),
    sa.Column('provider_id', sa.Uuid(), nullable=False),
    sa.Column('placement_id', sa.Uuid(), nullable=True),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('source', sa.String(length=120), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', placedesk.models.base.UTCDateTime(), nullable=False),
    sa.Column('updated_at', placedesk.models.base.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['definition_id'], ['kpi_definition.id'], name=op.f('fk_kpi_value_definition_id_kpi_definition'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['placement_id'], ['placement.id'], name=op.f('fk_kpi_value_placement_id_placement'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['provider_id'], ['provider.id'], name=op.f('fk_kpi_value_provider_id_provider'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kpi_value'))
    )
    with op.batch_alter_table('kpi_value', schema=None) as batch_op:
        batch_op.create_index('ix_kpi_value_period', ['period_start'], unique=False)
        batch_op.create_index('ix_kpi_value_provider_definition_period', ['provider_id', 'definition_id', 'period_start'], unique=False)

    op.create_table('monitoring_visit',
    sa.Column('provider_id', sa.Uuid(), nullable=False),
    sa.Column('placement_id', sa.Uuid(), nullable=True),
    sa.Column('visit_date', sa.Date(), nullable=False),
    sa.Column('visit_type', sa.Enum('announced', 'unannounced', 'desk_review', 'reg44_report', name='visit_type', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('officer', sa.String(length=200), nullable=False),
    sa.Column('findings', sa.Text(), nullable=False),
    sa.Column('rating', sa.Enum('outstanding', 'good', 'requires_improvement', 'inadequate', name='visit_rating', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', placedesk.models.base.UTCDateTime(), nullable=False),
    sa.Column('updated_at', placedesk.models.base.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['placement_id'], ['placement.id'], name=op.f('fk_monitoring_visit_placement_id_placement'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['provider_id'], ['provider.id'], name=op.f('fk_monitoring_visit_provider_id_provider'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monitoring_visit'))
    )
    with op.batch_alter_table('monitoring_visit', schema=None) as batch_op:
        batch_op.create_index('ix_monitoring_visit_provider_date', ['provider_id', 'visit_date'], unique=False)

    op.create_table('outcome_assessment',
    sa.Column('child_id', sa.Uuid(), nullable=False),
    sa.Column('placement_id', sa.Uuid(), nullable=True),
    sa.Column('tool', sa.Enum('wemwbs', 'swemwbs', 'star', name='outcome_tool', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('star_scale_id', sa.Uuid(), nullable=True),
    sa.Column('assessed_on', sa.Date(), nullable=False),
    sa.Column('item_scores', sa.JSON(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('metric_score', sa.Float(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', placedesk.models.base.UTCDateTime(), nullable=False),
    sa.Column('updated_at', placedesk.models.base.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("(tool = 'wemwbs' AND total BETWEEN 14 AND 70) OR (tool = 'swemwbs' AND total BETWEEN 7 AND 35) OR (tool = 'star' AND star_scale_id IS NOT NULL)", name=op.f('ck_outcome_assessment_total_in_range')),
    sa.ForeignKeyConstraint(['child_id'], ['child.id'], name=op.f('fk_outcome_assessment_child_id_child'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['placement_id'], ['placement.id'], name=op.f('fk_outcome_assessment_placement_id_placement'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['star_scale_id'], ['star_scale.id'], name=op.f('fk_outcome_assessment_star_scale_id_star_scale'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outcome_assessment'))
    )
    with op.batch_alter_table('outcome_assessment', schema=None) as batch_op:
        batch_op.create_index('ix_outcome_assessment_child_date', ['child_id', 'assessed_on'], unique=False)

    op.create_table('placement_fee_line',
    sa.Column('placement_id', sa.Uuid(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('core', 'additional_support', 'education', 'health_therapy', 'other', name='fee_line_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('description', sa.String(length=300), nullable=False),
    sa.Column('weekly_amount_pence', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', placedesk.models.base.UTCDateTime(), nullable=False),
    sa.Column('updated_at', placedesk.models.base.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('weekly_amount_pence >= 0', name=op.f('ck_placement_fee_line_amount_not_negative')),
    sa.ForeignKeyConstraint(['placement_id'], ['placement.id'], name=op.f('fk_placement_fee_line_placement_id_placement'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_placement_fee_line'))
    )
    with op.batch_alter_table('placement_fee_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_placement_fee_line_placement_id'), ['placement_id'], unique=False)

    op.create_table('placement_funding_share',
    sa.Column('placement_id', sa.Uuid(), nullable=False),
    sa.Column('partner', sa.Enum('social_care', 'education', 'health', name='funding_partner', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('share_bp', sa.Integer(), nullable=False),
    sa.Column('weekly_amount_pence', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', placedesk.models.base.UTCDateTime(), nullable=False),
    sa.Column('updated_at', placedesk.models.base.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('share_bp >= 0 AND share_bp <= 10000', name=op.f('ck_placement_funding_share_share_in_range')),
    sa.CheckConstraint('weekly_amount_pence >= 0', name=op.f('ck_placement_funding_share_amount_not_negative')),
    sa.ForeignKeyConstraint(['placement_id'], ['placement.id'], name=op.f('fk_placement_funding_share_placement_id_placement'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_placement_funding_share')),
    sa.UniqueConstraint('placement_id', 'partner', name=op.f('uq_placement_funding_share_placement_id_partner'))
    )
    op.create_table('cap_action',
    sa.Column('cap_id', sa.Uuid(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('owner', sa.String(length=200), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('not_started', 'in_progress', 'complete', 'waived', name='cap_action_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('completed_on', sa.Date(), nullable=True),
    sa.Column('evidence', sa.Text(), nullable=False),
    sa.Column('waived_reason', sa.Text(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', placedesk.models.base.UTCDateTime(), nullable=False),
    sa.Column('updated_at', placedesk.models.base.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("status != 'complete' OR completed_on IS NOT NULL", name=op.f('ck_cap_action_complete_has_date')),
    sa.CheckConstraint("status != 'waived' OR waived_reason != ''", name=op.f('ck_cap_action_waived_has_reason')),
    sa.ForeignKeyConstraint(['cap_id'], ['cap.id'], name=op.f('fk_cap_action_cap_id_cap'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cap_action'))
    )
    with op.batch_alter_table('cap_action', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cap_action_cap_id'), ['cap_id'], unique=False)
        batch_op.create_index('ix_cap_action_due', ['status', 'due_date'], unique=False)

    op.create_table('cap_review',
    sa.Column('cap_id', sa.Uuid(), nullable=False),
    sa.Column('review_date', sa.Date(), nullable=False),
    sa.Column('held', sa.Boolean(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', placedesk.models.base.UTCDateTime(), nullable=False),
    sa.Column('updated_at', placedesk.models.base.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['cap_id'], ['cap.id'], name=op.f('fk_cap_review_cap_id_cap'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cap_review'))
    )
    with op.batch_alter_table('cap_review', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cap_review_cap_id'), ['cap_id'], unique=False)

    op.create_table('cap_sanction',
    sa.Column('cap_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.Enum('fine', 'restrict_referrals', 'framework_suspension', 'termination_notice', name='sanction_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('amount_pence', sa.Integer(), nullable=True),
    sa.Column('imposed_on', sa.Date(), nullable=False),
    sa.Column('lifted_on', sa.Date(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', placedesk.models.base.UTCDateTime(), nullable=False),
    sa.Column('updated_at', placedesk.models.base.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("kind != 'fine' OR (amount_pence IS NOT NULL AND amount_pence > 0)", name=op.f('ck_cap_sanction_fine_has_amount')),
    sa.CheckConstraint('lifted_on IS NULL OR lifted_on >= imposed_on', name=op.f('ck_cap_sanction_lifted_after_imposed')),
    sa.ForeignKeyConstraint(['cap_id'], ['cap.id'], name=op.f('fk_cap_sanction_cap_id_cap'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cap_sanction'))
    )
    with op.batch_alter_table('cap_sanction', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cap_sanction_cap_id'), ['cap_id'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('cap_sanction', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cap_sanction_cap_id'))

    op.drop_table('cap_sanction')
    with op.batch_alter_table('cap_review', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cap_review_cap_id'))

    op.drop_table('cap_review')
    with op.batch_alter_table('cap_action', schema=None) as batch_op:
        batch_op.drop_index('ix_cap_action_due')
        batch_op.drop_index(batch_op.f('ix_cap_action_cap_id'))

    op.drop_table('cap_action')
    op.drop_table('placement_funding_share')
    with op.batch_alter_table('placement_fee_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_placement_fee_line_placement_id'))

    op.drop_table('placement_fee_line')
    with op.batch_alter_table('outcome_assessment', schema=None) as batch_op:
        batch_op.drop_index('ix_outcome_assessment_child_date')

    op.drop_table('outcome_assessment')
    with op.batch_alter_table('monitoring_visit', schema=None) as batch_op:
        batch_op.drop_index('ix_monitoring_visit_provider_date')

    op.drop_table('monitoring_visit')
    with op.batch_alter_table('kpi_value', schema=None) as batch_op:
        batch_op.drop_index('ix_kpi_value_provider_definition_period')
        batch_op.drop_index('ix_kpi_value_period')

    op.drop_table('kpi_value')
    with op.batch_alter_table('cap', schema=None) as batch_op:
        batch_op.drop_index('ix_cap_provider_status')

    op.drop_table('cap')
    with op.batch_alter_table('agreement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agreement_placement_id'))

    op.drop_table('agreement')
    with op.batch_alter_table('placement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_placement_referral_id'))
        batch_op.drop_index('ix_placement_provider')
        batch_op.drop_index('ix_placement_child')

    op.drop_table('placement')
    with op.batch_alter_table('offer_fee_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_offer_fee_line_offer_id'))

    op.drop_table('offer_fee_line')
    with op.batch_alter_table('offer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_offer_recipient_id'))

    op.drop_table('offer')
    with op.batch_alter_table('referral_recipient', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referral_recipient_provider_id'))

    op.drop_table('referral_recipient')
    op.drop_table('referral_funding_share')
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.drop_index('ix_referral_status')

    op.drop_table('referral')
    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.drop_index('ix_inspection_provider_date')

    op.drop_table('inspection')
    with op.batch_alter_table('care_period', schema=None) as batch_op:
        batch_op.drop_index('ix_care_period_child_start')

    op.drop_table('care_period')
    with op.batch_alter_table('sync_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sync_record_bundle_id'))

    op.drop_table('sync_record')
    op.drop_table('sync_conflict')
    with op.batch_alter_table('stored_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stored_document_sha256'))
        batch_op.drop_index(batch_op.f('ix_stored_document_kind'))

    op.drop_table('stored_document')
    op.drop_table('star_scale')
    with op.batch_alter_table('provider', schema=None) as batch_op:
        batch_op.drop_index('ix_provider_name')
        batch_op.drop_index('ix_provider_local_authority')

    op.drop_table('provider')
    op.drop_table('postcode_location')
    op.drop_table('officer_profile')
    op.drop_table('kpi_definition')
    with op.batch_alter_table('child', schema=None) as batch_op:
        batch_op.drop_index('ix_child_last_name')

    op.drop_table('child')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_event_occurred_at')
        batch_op.drop_index('ix_audit_event_entity')

    op.drop_table('audit_event')

