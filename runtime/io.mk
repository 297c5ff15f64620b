# runtime/io.mk - data sets, weights files and plots
