def test_settings_load(settings):
    assert settings.CELERY_BROKER_URL == "memory://"
