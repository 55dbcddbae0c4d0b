from django.db import migrations

USE_TYPES = [
    (
        "training",
        "Training",
        "Your recordings are used to teach an AI model how music sounds. The model does not "
        "keep copies to play back, but what it learns shapes everything it makes afterwards.",
    ),
    (
        "voice_likeness",
        "Voice likeness",
        "A model of your voice is built so the product can sing or speak new words and "
        "melodies that sound like you.",
    ),
    (
        "style_generation",
        "Style generation",
        "People can ask the product for new music \u201cin the style of\u201d your work, and it "
        "uses your recordings to get there.",
    ),
    (
        "stems_remix",
        "Stems and remix",
        "The product separates your recordings into parts (vocals, drums, bass\u2026) so people "
        "can remix them or use them in their own tracks.",
    ),
    (
        "lyrics",
        "Lyrics",
        "Your lyrics are used to train or power a tool that writes, completes or rewrites "
        "lyrics.",
    ),
]


def create(apps, schema_editor):
    UseType = apps.get_model("licensing", "UseType")
    for position, (slug, name, explanation) in enumerate(USE_TYPES):
        UseType.objects.get_or_create(
            slug=slug, defaults={"name": name, "explanation": explanation, "position": position}
        )


class Migration(migrations.Migration):
    dependencies = [("licensing", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
