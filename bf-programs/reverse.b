Reverse: reads its input up to end of input and prints it backwards
then a newline; cell 0 stays zero as the left sentinel for the scan back
>,[>,]<[.<]++++++++++.
