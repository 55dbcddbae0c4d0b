"""Checking the conditions given with a yes against the vocabulary."""

from portal.consent.conditions import Conditions, is_country
from portal.consent.models import Answer
from portal.consent.services.common import ConsentError
from portal.licensing.models import Condition
from portal.text import name_control_in

CREDIT_MAX = 200


def conditions_check(answer: str, conditions: Conditions) -> None:
    """Conditions from the vocabulary, each with the parameter it takes (one query)."""
    if not conditions:
        return
    if answer != Answer.GRANTED:
        raise ConsentError("Only a yes can have conditions.")
    if len({given.code for given in conditions}) != len(conditions):
        raise ConsentError("Each condition can be given once.")
    parameters = dict(
        Condition.objects.filter(code__in=[given.code for given in conditions]).values_list(
            "code", "parameter"
        )
    )
    for given in conditions:
        parameter = parameters.get(given.code)
        if parameter is None:
            raise ConsentError("That is not a condition the portal knows.")
        if (parameter == Condition.Parameter.CREDIT) != bool(given.credit.strip()):
            raise ConsentError("A credit needs the credit line to show, and only a credit.")
        if (parameter == Condition.Parameter.TERRITORIES) != bool(given.allow):
            raise ConsentError("Choose at least one country the use is allowed in.")
        if len(given.credit) > CREDIT_MAX or name_control_in(given.credit):
            raise ConsentError(
                f"A credit line is one line of at most {CREDIT_MAX} characters, without "
                "control characters or text-direction marks."
            )
        if not all(is_country(code) for code in given.allow):
            raise ConsentError("Countries are given as ISO 3166-1 codes, such as GB.")
