"""RT-MDNet modules in upstream's layout: ``model`` (MDNet, RoIAlign, loss, metrics), ``sample_generator``,
``bbreg``."""
