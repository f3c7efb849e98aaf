Long loop benchmark: an outer and a middle loop of 100 each run an inner
loop of 255 steps that adds 1 to c3 and 2 to c4 per step; both sums are
printed as bytes (mod 256) and then a newline
Cells: c0 outer; c1 middle; c2 inner; c3 and c4 sums; c5 newline
++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++
[
  >++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++
  [
    >-
    [>+>++<<-]
    <-
  ]
  <-
]
>>>.>.>++++++++++.
