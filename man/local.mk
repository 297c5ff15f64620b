# man/local.mk - netlang(1), the program; netlang(5), the language.
dist_man_MANS += man/netlang.1 man/netlang.5
