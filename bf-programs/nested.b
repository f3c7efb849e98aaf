Nested loops: prints a triangle of 9 rows where row r holds the first r letters
Cells: c0 rows left; c1 row length; c2 letter; c3 counter; c4 scratch; c5 newline
+++++++++                          c0 is 9
>>>>>++++++++++<<<<<               c5 is 10
[                                  for each row (at c0)
  >+                               c1 grows by one
  [>>+>+<<<-]>>>[<<<+>>>-]<<<      copy c1 into c3 using c4 (back at c1)
  >>>++++++++[<<++++++++>>-]<<+    c2 is 65 (at c2)
  >[<.+>-]                         print c3 letters from c2 upward (at c3)
  <[-]                             clear c2
  >>>.                             print newline from c5
  <<<<<-                           one row fewer (at c0)
]
