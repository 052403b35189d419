"""Kinds of org unit: what each is called in Thai and at which level of the tree it sits."""

from enum import StrEnum

from survey_app.core.i18n import N_


class Level(StrEnum):
    """Where a kind sits in the tree province → agency → school."""

    PROVINCE = "province"
    AGENCY = "agency"
    SCHOOL = "school"


class OrgKind(StrEnum):
    """The kind of every node of the directory; a definition's audience names these."""

    PROVINCIAL_OFFICE = "provincial_office"
    PRIMARY_ESA = "primary_esa"
    SECONDARY_ESA = "secondary_esa"
    NFE_OFFICE = "nfe_office"
    VOCATIONAL_OFFICE = "vocational_office"
    BUDDHISM_OFFICE = "buddhism_office"
    LOCAL_ADMIN_OFFICE = "local_admin_office"
    LOCAL_GOVERNMENT = "local_government"
    PRIVATE_SCHOOL_OFFICE = "private_school_office"
    SPECIAL_EDUCATION_OFFICE = "special_education_office"
    BASIC_SCHOOL = "basic_school"
    PRIVATE_SCHOOL = "private_school"
    VOCATIONAL_COLLEGE = "vocational_college"
    LOCAL_GOVERNMENT_SCHOOL = "local_government_school"
    SPECIAL_EDUCATION_SCHOOL = "special_education_school"
    NFE_DISTRICT_CENTRE = "nfe_district_centre"
    MONASTIC_SCHOOL = "monastic_school"
    HIGHER_EDUCATION = "higher_education"

    @property
    def label_th(self) -> str:
        return KIND_INFO[self][0]

    @property
    def level(self) -> Level:
        return KIND_INFO[self][1]

    @property
    def is_esa(self) -> bool:
        return self in ESA_KINDS


KIND_INFO: dict[OrgKind, tuple[str, Level]] = {
    OrgKind.PROVINCIAL_OFFICE: (N_("สำนักงานศึกษาธิการจังหวัด"), Level.PROVINCE),
    OrgKind.PRIMARY_ESA: (N_("สำนักงานเขตพื้นที่การศึกษาประถมศึกษา"), Level.AGENCY),
    OrgKind.SECONDARY_ESA: (N_("สำนักงานเขตพื้นที่การศึกษามัธยมศึกษา"), Level.AGENCY),
    OrgKind.NFE_OFFICE: (N_("สำนักงาน กศน.จังหวัด"), Level.AGENCY),
    OrgKind.VOCATIONAL_OFFICE: (N_("สำนักงานอาชีวศึกษาจังหวัด"), Level.AGENCY),
    OrgKind.BUDDHISM_OFFICE: (N_("สำนักงานพระพุทธศาสนาจังหวัด"), Level.AGENCY),
    OrgKind.LOCAL_ADMIN_OFFICE: (N_("สำนักงานส่งเสริมการปกครองท้องถิ่นจังหวัด"), Level.AGENCY),
    OrgKind.LOCAL_GOVERNMENT: (N_("องค์กรปกครองส่วนท้องถิ่น"), Level.AGENCY),
    OrgKind.PRIVATE_SCHOOL_OFFICE: (N_("กลุ่มส่งเสริมการศึกษาเอกชน"), Level.AGENCY),
    OrgKind.SPECIAL_EDUCATION_OFFICE: (N_("หน่วยงานการศึกษาพิเศษ"), Level.AGENCY),
    OrgKind.BASIC_SCHOOL: (N_("โรงเรียนการศึกษาขั้นพื้นฐาน"), Level.SCHOOL),
    OrgKind.PRIVATE_SCHOOL: (N_("โรงเรียนเอกชน"), Level.SCHOOL),
    OrgKind.VOCATIONAL_COLLEGE: (N_("สถานศึกษาอาชีวศึกษา"), Level.SCHOOL),
    OrgKind.LOCAL_GOVERNMENT_SCHOOL: (N_("โรงเรียนสังกัดองค์กรปกครองส่วนท้องถิ่น"), Level.SCHOOL),
    OrgKind.SPECIAL_EDUCATION_SCHOOL: (N_("สถานศึกษาการศึกษาพิเศษ"), Level.SCHOOL),
    OrgKind.NFE_DISTRICT_CENTRE: (N_("ศูนย์ส่งเสริมการเรียนรู้ระดับอำเภอ (กศน.อำเภอ)"), Level.SCHOOL),
    OrgKind.MONASTIC_SCHOOL: (N_("โรงเรียนพระปริยัติธรรม"), Level.SCHOOL),
    OrgKind.HIGHER_EDUCATION: (N_("สถาบันอุดมศึกษา"), Level.SCHOOL),
}
ESA_KINDS = frozenset({OrgKind.PRIMARY_ESA, OrgKind.SECONDARY_ESA})
LEVEL_ORDER = {Level.PROVINCE: 0, Level.AGENCY: 1, Level.SCHOOL: 2}


def parent_allowed(parent: OrgKind | None, child: OrgKind) -> bool:
    """A province has no parent; agencies hang below the province or another agency; schools below agencies."""
    if child.level == Level.PROVINCE:
        return parent is None
    if parent is None:
        return False
    if child.level == Level.AGENCY:
        return parent.level in (Level.PROVINCE, Level.AGENCY)
    return parent.level in (Level.PROVINCE, Level.AGENCY)
