# The growth benchmark's times against the table's size (build.ps1 -Task Bench passes data and out).
set terminal pngcairo size 1000,640 font ",11"
set output out
set title "Fusis: time of each operation against the size of the table (lab, emulated)"
set xlabel "objects (services x 11)"
set ylabel "seconds"
set logscale xy
set key outside right
set grid
set datafile separator "\t"
plot data using 1:2 skip 1 with linespoints title "create, Fusis", \
     data using 1:3 skip 1 with linespoints title "create, ipvsadm -R", \
     data using 1:4 skip 1 with linespoints title "read, Fusis", \
     data using 1:5 skip 1 with linespoints title "read, ipvsadm -Ln", \
     data using 1:6 skip 1 with linespoints title "daemon start to listening", \
     data using 1:7 skip 1 with linespoints title "no-op full reconcile", \
     data using 1:8 skip 1 with linespoints lw 2 title "one API change (median)"
