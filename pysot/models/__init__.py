"""SiamRPN++ networks: backbone (ResNet with dilated layers), neck (adjust layers), RPN heads, ModelBuilder."""
