"""The originality check of an order delivery (the order desk shows it to staff before release)."""
from __future__ import annotations

import logging

from .originality import originality_report
from .readers import ReadError, read_docx

log = logging.getLogger(__name__)


def check_delivery(delivery) -> dict:
    """Compute the report on the delivery's .docx text and store it in `delivery.originality`.

    Never raises for a bad file: the stored report then carries {"error": Chinese reason}, so the
    delivery itself is never lost over a failed check."""
    try:
        with delivery.attachment.file.open("rb") as fh:
            data = fh.read()
        parsed = read_docx(data, delivery.attachment.original_name or "delivery.docx")
        report = originality_report(f"{parsed.title}\n{parsed.body}")
    except ReadError as exc:
        report = {"error": str(exc)}
    except Exception:
        log.exception("originality check failed for delivery %s", delivery.pk)
        report = {"error": "查重未能完成，请稍后在工作台重试"}
    delivery.originality = report
    type(delivery).objects.filter(pk=delivery.pk).update(originality=report)
    return report
