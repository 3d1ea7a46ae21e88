# Empty compiler generated dependencies file for sphereface_margin.
# This may be replaced when dependencies are built.
