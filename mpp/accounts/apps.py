from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "mpp.accounts"
    label = "accounts"
    verbose_name = "Accounts, roles and duty locations"
