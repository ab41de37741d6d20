# Latency against load from Summarize's plot.dat: gnuplot -e "data='plot.dat'; out='latency.png'" plot.gp
set terminal pngcairo size 1100,480 font ",10"
set output out
set multiplot layout 1,2 title "Switchboard: non-streamed chat completions, fast upstream (nginx), 2 cores shared"
set logscale x 2
set xlabel "concurrent connections (wrk)"
set grid
set key top left
set ylabel "latency (ms)"
set logscale y
set title "Latency: straight to the upstream vs through the gateway"
plot data using 1:2 with linespoints lw 2 pt 7 dt 2 lc rgb "#1f77b4" title "direct p50", \
     data using 1:3 with linespoints lw 2 pt 5 dt 2 lc rgb "#ff7f0e" title "direct p99", \
     data using 1:4 with linespoints lw 2 pt 7 lc rgb "#1f77b4" title "gateway p50", \
     data using 1:5 with linespoints lw 2 pt 5 lc rgb "#ff7f0e" title "gateway p99"
set ylabel "requests/s"
set title "Throughput"
plot data using 1:6 with linespoints lw 2 pt 7 dt 2 lc rgb "#2ca02c" title "direct", \
     data using 1:7 with linespoints lw 2 pt 7 lc rgb "#2ca02c" title "gateway"
unset multiplot
