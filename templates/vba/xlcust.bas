Attribute VB_Name = "xlcust"
' xlcust: the macros behind the buttons on the Start sheet.
'
' Each button runs one handler of the Python package xlcust (xlcust.excel.handlers)
' through the free xlwings add-in; the handler reads this workbook, runs the same
' checks and reports as the `xlcust` command line and writes the output sheets.
' Nothing here runs by itself: no Workbook_Open, no Auto_Open.
'
' This file is the source: workbook/CustomerLedger.xlsm is built from it by
' `python -m xlcust.io.bundle`. Edit this file, not the workbook's VBA.
Option Explicit

' Button "Validate codes": every check; results on the Checks sheet.
Public Sub XlcustValidate()
    RunPython "import xlcust.excel.handlers as h; h.validate()"
End Sub

' Button "Reclassify (dry run)": what the rules would change, on the Reclass sheet.
Public Sub XlcustReclassifyDryRun()
    RunPython "import xlcust.excel.handlers as h; h.reclassify_dry_run()"
End Sub

' Button "Apply reclassification": writes the changes to Customers and CategoryHistory.
Public Sub XlcustReclassifyApply()
    If MsgBox("Apply the reclassification to the Customers and CategoryHistory sheets?" & vbCrLf & _
              "Run the dry run first to see the changes.", vbOKCancel + vbQuestion, "xlcust") <> vbOK Then Exit Sub
    RunPython "import xlcust.excel.handlers as h; h.reclassify_apply()"
End Sub

' Button "Statements": customer statements on the Statements sheet.
Public Sub XlcustStatements()
    RunPython "import xlcust.excel.handlers as h; h.statements()"
End Sub

' Button "Refresh all": checks, ledger, aging and every report (what `xlcust run` does).
Public Sub XlcustRefreshAll()
    RunPython "import xlcust.excel.handlers as h; h.refresh_all()"
End Sub

' The xlwings add-in's RunPython, called by name, so the workbook needs no reference
' to the add-in (Tools > References) and opens cleanly where xlwings is missing.
Private Sub RunPython(ByVal PythonCommand As String)
    On Error GoTo NoAddin
    Application.Run "xlwings.xlam!RunPython", PythonCommand
    Exit Sub
NoAddin:
    MsgBox "xlcust needs Python and the xlwings add-in. In a command prompt run:" & vbCrLf & vbCrLf & _
           "    pip install ""xlcust[excel]""" & vbCrLf & _
           "    xlwings addin install" & vbCrLf & vbCrLf & _
           "then restart Excel. (" & Err.Description & ")", vbExclamation, "xlcust"
End Sub

' The worksheet functions (module xlwings_udfs, written by xlwings' Import Functions and
' shipped in this workbook) call XLPy.CallUDF. XLPy belongs to the xlwings add-in; here it
' is fetched from the add-in by name at the moment a function runs, so the workbook needs
' no reference to the add-in, compiles where xlwings is missing, and a cell then shows
' what to install instead of "Object required".
Public Function XLPy() As Object
#If Mac Then
    Err.Raise vbObjectError + 516, "xlcust", "#xlcust: worksheet functions need Excel on Windows with xlwings; " & _
              "on a Mac use the buttons, xlwings Lite or the xlcust command line"
#Else
    On Error GoTo NoAddin
    Set XLPy = Application.Run("xlwings.xlam!XLPy")
    Exit Function
NoAddin:
    Err.Raise vbObjectError + 515, "xlcust", "#xlcust: needs Python and the xlwings add-in: " & _
              "pip install ""xlcust[excel]"", then xlwings addin install (" & Err.Description & ")"
#End If
End Function
