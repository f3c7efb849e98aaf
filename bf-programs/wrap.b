Wrapping cells: 8 bit cells wrap at 256 in both directions
minus from 0 wraps to 255 so print byte 255
-.
plus 1 on 255 wraps to 0 then add 65 and print A
+
>++++++++[<++++++++>-]<+.
256 increments leave the cell unchanged so print A again
>++++++++++++++++[<++++++++++++++++>-]<.
and subtracting 256 too
>++++++++++++++++[<---------------->-]<.
newline
[-]++++++++++.
