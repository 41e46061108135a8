from contextvars import ContextVar

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save

# Set while a loader writes a contribution's figures: it refreshes the spans once after.
FIGURES_LOADING = ContextVar("figures_loading", default=False)


def figure_changed(sender, instance, raw=False, **kwargs):
    """A figure is evidence of its contribution's period: recompute its spans."""
    if raw or FIGURES_LOADING.get():
        return
    from missions.models import Contribution

    contribution = Contribution.objects.filter(pk=instance.contribution_id).first()
    if contribution is not None:  # not when the contribution itself is being deleted
        contribution.refresh_coverage()


class MissionsConfig(AppConfig):
    name = "missions"
    verbose_name = "Missions, exercises and contributions"

    def ready(self):
        from missions.models import ContributionFigure

        post_save.connect(figure_changed, sender=ContributionFigure, dispatch_uid="figure_saved")
        post_delete.connect(
            figure_changed, sender=ContributionFigure, dispatch_uid="figure_deleted"
        )
