# examples/local.mk - D2L's networks and the AlexNet lesson, installed in
# $(pkgdatadir)/examples (netlang(1) says where) and distributed for the
# tests that train them.
examplesdir = $(pkgdatadir)/examples
dist_examples_DATA = examples/lenet.net examples/alexnet.net examples/vgg11.net \
	examples/nin.net examples/googlenet.net examples/lenet-bn.net \
	examples/resnet18.net examples/densenet.net examples/alexnet-lesson.nls

# After `make install`: the installed program reads every installed
# example with the installed block library (its own, found by itself,
# unless DESTDIR moved it), and runs the lesson.
installcheck-local:
	@np=; test -z '$(DESTDIR)' || np='$(DESTDIR)$(stdlibdir)'; \
	for f in $(dist_examples_DATA); do \
	  f=$(DESTDIR)$(examplesdir)/$${f#examples/}; \
	  case $$f in \
	  *.net) NETLANG_PATH=$$np '$(DESTDIR)$(bindir)/netlang' "$$f" >/dev/null ;; \
	  *.nls) NETLANG_PATH=$$np '$(DESTDIR)$(bindir)/netlang' -f "$$f" >/dev/null ;; \
	  esac || { echo "installcheck: $$f failed"; exit 1; }; \
	  echo "installcheck: $$f"; \
	done
