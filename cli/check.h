/*
 * check.h - `racedemo check`: race-checking students' programs (cli/check.c, issue 5).
 * main.c hands it the arguments after "racedemo": argv[0] is "check".
 */
#ifndef RACEDEMO_CHECK_H
#define RACEDEMO_CHECK_H

int check_main(int argc, char **argv);

#endif
