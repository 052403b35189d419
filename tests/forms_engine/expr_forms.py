"""Small definitions with expressions, shared by the expression tests (unit, HTTP and browser)."""

WEIGHTS = """
schema_version: 1
key: kpi_weights
title: การประเมินตัวชี้วัด
respondent: organisation
audience: [basic_school]
checks:
  - expression: "sum(w_a, w_b, w_c, w_d) = 100"
    message: "น้ำหนักรวมของตัวชี้วัดต้องเท่ากับ 100"
sections:
  - key: weights
    title: น้ำหนักและคะแนน
    questions:
      - {key: w_a, code: "1", type: decimal, label: น้ำหนักตัวชี้วัด ก, min: 0, max: 100}
      - {key: s_a, code: "2", type: integer, label: คะแนนตัวชี้วัด ก, min: 1, max: 5}
      - {key: w_b, code: "3", type: decimal, label: น้ำหนักตัวชี้วัด ข, min: 0, max: 100}
      - {key: s_b, code: "4", type: integer, label: คะแนนตัวชี้วัด ข, min: 1, max: 5}
      - {key: w_c, code: "5", type: decimal, label: น้ำหนักตัวชี้วัด ค, min: 0, max: 100}
      - {key: s_c, code: "6", type: integer, label: คะแนนตัวชี้วัด ค, min: 1, max: 5}
      - {key: w_d, code: "7", type: decimal, label: น้ำหนักตัวชี้วัด ง, min: 0, max: 100}
      - {key: s_d, code: "8", type: integer, label: คะแนนตัวชี้วัด ง, min: 1, max: 5}
      - key: total
        code: "9"
        type: calculate
        label: คะแนนถ่วงน้ำหนัก
        expression: "(w_a * s_a + w_b * s_b + w_c * s_c + w_d * s_d) / 100"
        decimals: 2
        unit: คะแนน
      - key: share_d
        code: "10"
        type: calculate
        label: น้ำหนัก ง ต่อ 8
        expression: "w_d / 8"
        decimals: 1
  - key: details
    title: รายละเอียด
    show_if: "total >= 3"
    questions:
      - key: staff
        code: "11"
        type: integer
        label: จำนวนบุคลากร
        min: 0
        constraint: ". <= 500"
        constraint_message: "จำนวนบุคลากรต้องไม่เกิน 500 คน"
      - {key: trained, code: "12", type: integer, label: ได้รับการอบรม, min: 0, show_if: "staff > 0"}
"""
