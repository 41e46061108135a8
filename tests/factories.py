"""factory-boy factories for every curated model. No test depends on the curated data."""

import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django_countries import countries

from frameworks.models import Framework, Participation
from missions.models import Contribution, ContributionFigure, Mission, Role
from partnerships.apps import CURATORS_GROUP
from partnerships.dates import Precision
from partnerships.models import CooperationArea, Milestone, Partner, Region, Source

# Real ISO codes, so partners validate; skip the few without an alpha-3.
ISO3_CODES = sorted(code for code in (countries.alpha3(c) for c, _ in countries) if code)


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source
        skip_postgeneration_save = True

    key = factory.Sequence(lambda n: f"source-{n}")
    title = factory.Sequence(lambda n: f"Official document {n}")
    publisher = "NATO"
    url = factory.Sequence(lambda n: f"https://www.nato.int/doc/{n}.htm")
    published = dt.date(2020, 1, 1)
    published_precision = Precision.DAY
    kind = Source.Kind.OFFICIAL
    tier = Source.Tier.OFFICIAL


class CooperationAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CooperationArea

    slug = factory.Sequence(lambda n: f"area-{n}")
    name = factory.Sequence(lambda n: f"Area {n}")


def _add_sources(obj, create, extracted, **kwargs):
    """Every fact carries a source: the given ones, or a fresh one."""
    if not create:
        return
    obj.sources.set(extracted if extracted is not None else [SourceFactory()])


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner
        django_get_or_create = ("iso3",)
        skip_postgeneration_save = True

    iso3 = factory.Sequence(lambda n: ISO3_CODES[n % len(ISO3_CODES)])
    name = factory.LazyAttribute(lambda o: countries.name(countries.alpha2(o.iso3)))
    region = Region.EUROPE
    profile = "A partner nation."
    sources = factory.PostGeneration(_add_sources)


class FrameworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Framework
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"framework-{n}")
    name = factory.Sequence(lambda n: f"Framework {n}")
    acronym = factory.Sequence(lambda n: f"F{n}")
    kind = Framework.Kind.PROGRAMME
    start = dt.date(1994, 1, 10)
    start_precision = Precision.DAY
    members_only_partners = True
    sources = factory.PostGeneration(_add_sources)


class ParticipationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participation
        skip_postgeneration_save = True

    partner = factory.SubFactory(PartnerFactory)
    framework = factory.SubFactory(FrameworkFactory)
    start = dt.date(1995, 1, 1)
    start_precision = Precision.YEAR
    status = Participation.Status.ACTIVE
    sources = factory.PostGeneration(_add_sources)


class MissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mission
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"mission-{n}")
    name = factory.Sequence(lambda n: f"Mission {n}")
    acronym = factory.Sequence(lambda n: f"M{n}")
    kind = Mission.Kind.PEACE_SUPPORT
    region = Region.WESTERN_BALKANS
    start = dt.date(1999, 6, 12)
    start_precision = Precision.DAY
    sources = factory.PostGeneration(_add_sources)


class ContributionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contribution
        skip_postgeneration_save = True

    partner = factory.SubFactory(PartnerFactory)
    mission = factory.SubFactory(MissionFactory)
    start = dt.date(2000, 1, 1)
    start_precision = Precision.YEAR
    sources = factory.PostGeneration(_add_sources)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create:
            self.roles.set(extracted or Role.objects.filter(slug="troops"))


class FigureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContributionFigure

    contribution = factory.SubFactory(ContributionFactory)
    as_of = dt.date(2005, 6, 1)
    as_of_precision = Precision.DAY
    personnel = 100
    source = factory.SubFactory(SourceFactory)


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone
        skip_postgeneration_save = True

    partner = factory.SubFactory(PartnerFactory)
    date = dt.date(1994, 3, 23)
    date_precision = Precision.DAY
    kind = Milestone.Kind.JOINS
    title = factory.Sequence(lambda n: f"Milestone {n}")
    sources = factory.PostGeneration(_add_sources)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.django.Password("correct horse battery")

    @factory.post_generation
    def curator(self, create, extracted, **kwargs):
        if create and extracted:
            self.is_staff = True
            self.save()
            self.groups.add(Group.objects.get(name=CURATORS_GROUP))
