"""
Create (or promote) a curator account: a staff user in the "Curators" group, which may correct
papers, author rows and venues and merge, split and undo, but not manage users or groups.

The password comes from --password or a prompt; it is checked against the password validators.
"""

import getpass

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

GROUP = "Curators"


class Command(BaseCommand):
    help = "Create a curator account (staff, in the Curators group), or add an existing user to it."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument("--password", help="Skip the prompt (beware of shell history).")
        parser.add_argument("--no-input", action="store_true", help="Never prompt; fail without a password.")

    def handle(self, *args, **options):
        username, email = options["username"], options["email"]
        try:
            group = Group.objects.get(name=GROUP)
        except Group.DoesNotExist:
            raise CommandError(f'The "{GROUP}" group is missing: run `manage.py migrate` first.') from None
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        password = None
        if user is None:
            password = options["password"] or self.ask_password(options["no_input"])
            try:
                password_validation.validate_password(password, User(username=username, email=email))
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from None
        with transaction.atomic():
            if user is None:
                user = User.objects.create_user(username=username, email=email, password=password)
                verb = "Created"
            else:
                verb = "Promoted"
            user.is_staff = True
            user.save(update_fields=["is_staff"])
            user.groups.add(group)
        if options["verbosity"] >= 1:
            self.stdout.write(self.style.SUCCESS(f"{verb} curator {username!r}: staff, in the {GROUP} group."))

    def ask_password(self, no_input: bool) -> str:
        if no_input:
            raise CommandError("--password is required with --no-input.")
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("The passwords do not match.")
        return first
